#include "trainers/app/bench/peak_memory.h"

#include <malloc.h>

#include <fstream>
#include <string>

#include "framework/device_memory.h"
#include "framework/host_allocator.h"

namespace gaze::bench {
namespace {

// A "Name:   N kB" line of /proc/self/status, in bytes.
std::optional<size_t> status_bytes(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0) return static_cast<size_t>(std::stoull(line.substr(name.size() + 1))) * 1024;
  return std::nullopt;
}

}  // namespace

PeakMemory::PeakMemory(Device device) : device_(device) {
  if (device_.is_cuda()) {
    gpu_memory().synchronize(device_.index);
    gpu_memory().empty_cache(device_.index);
    gpu_memory().reset_peak_memory(device_.index);
    baseline_ = gpu_memory().memory_stats(device_.index).in_use;
  } else {
    host_allocator_trim();
    reset_host_peak();
    baseline_ = host_allocator_stats().in_use;
  }
  malloc_trim(0);  // glibc's freed heap back to the system, so the RSS restarts low
  std::ofstream clear("/proc/self/clear_refs");
  if (clear) clear << "5";
}

size_t PeakMemory::allocated_bytes() const {
  size_t peak = device_.is_cuda() ? gpu_memory().memory_stats(device_.index).peak_in_use
                                  : host_allocator_stats().peak_in_use;
  return peak > baseline_ ? peak - baseline_ : 0;
}

std::optional<size_t> PeakMemory::rss_bytes() const { return status_bytes("VmHWM"); }

}  // namespace gaze::bench
