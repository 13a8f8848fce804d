// What a rank that shares its machine with other ranks must settle before it computes: how many
// threads it may use, how its OpenMP threads wait, which GPU it trains on. Several processes of spinning OpenMP
// threads on the same cores take turns at full spin: a step can take a hundred times longer.
#pragma once
#include <string>

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

// The device a data-parallel rank trains on, from train.device: "cuda" without an index means the
// GPU of the rank's local rank, cuda:(local_rank mod gpus), as torchrun's LOCAL_RANK is used, so
// the ranks of one machine spread over its GPUs; "cpu", an explicit "cuda:N" (the user's choice)
// and a machine without GPUs (gpus 0: the device's own error comes later) keep `device` as it is.
std::string device_for_local_rank(const std::string& device, int local_rank, int gpus);

}  // namespace gaze
