// What a rank that shares its machine with other ranks must settle before it computes: how many
// threads it may use and how its OpenMP threads wait. Several processes of spinning OpenMP
// threads on the same cores take turns at full spin: a step can take a hundred times longer.
#pragma once

namespace gaze {

// The cores this process may run on (sched_getaffinity: a cgroup's or taskset's limit, which
// std::thread::hardware_concurrency ignores).
int available_cores();

// The default threads of a rank: its available cores shared among the ranks on its machine
// (OMPI_COMM_WORLD_LOCAL_SIZE), at least 1.
int threads_per_rank();

// Call first in main, before anything starts OpenMP: when this process is one of several ranks on
// its machine and OMP_WAIT_POLICY is not set, restarts the program with OMP_WAIT_POLICY=passive
// (libgomp reads it once, when it is loaded, so setting it later has no effect): idle OpenMP
// threads then sleep instead of spinning against the other ranks.
void restart_with_passive_openmp_when_sharing_cores(char** argv);

}  // namespace gaze
