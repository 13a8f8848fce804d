// How a data-parallel command (gaze train, gaze eval under mpirun) fails: the failing rank prints
// one line naming itself and ends every rank, instead of leaving the others waiting forever in
// their next collective.
#pragma once
#include <exception>

namespace gaze {

// One line naming the rank on stderr, then MPI_Abort with the status a single process would exit
// with (2 for bad input, or any error before `started`; 128 + signal for an interruption; 1 otherwise).
[[noreturn]] void abort_job(const std::exception& e, bool started);

}  // namespace gaze
