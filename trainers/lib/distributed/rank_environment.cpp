#include "trainers/lib/distributed/rank_environment.h"

#include <fmt/format.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "trainers/lib/distributed/communicator.h"

namespace gaze {

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int threads_per_rank() { return std::max(1, available_cores() / std::max(1, launcher_local_size())); }

void restart_with_passive_openmp_when_sharing_cores(char** argv) {
  if (launcher_local_size() <= 1 || std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);
  // Still here: the restart failed. Run on; the OpenMP threads spin when idle.
  fmt::print(stderr, "gaze: could not restart with OMP_WAIT_POLICY=passive ({}); set it in mpirun's environment (-x OMP_WAIT_POLICY=passive)\n",
             std::strerror(errno));
}

std::string device_for_local_rank(const std::string& device, int local_rank, int gpus) {
  if (device != "cuda" || gpus <= 0 || local_rank < 0) return device;
  return fmt::format("cuda:{}", local_rank % gpus);
}

}  // namespace gaze
