// Open MPI's communicator (built when GAZE_HAVE_MPI): MPI_COMM_WORLD, with the ranks of one
// machine found by MPI_Comm_split_type(MPI_COMM_TYPE_SHARED).
#pragma once
#include <memory>
#include <string>

#include "trainers/lib/distributed/communicator.h"

namespace gaze {

// Calls MPI_Init_thread (MPI_THREAD_SERIALIZED: the collectives are serialized by a lock, so the
// training thread and the communication thread may both call them) once per process.
std::unique_ptr<Communicator> make_mpi_communicator();
// MPI_Get_library_version's first line, e.g. "Open MPI v4.1.4, ...".
std::string mpi_version_string();

}  // namespace gaze
