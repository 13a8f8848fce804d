// Peak memory of one benchmark case, two ways:
//  * allocated: the most bytes of tensor storage live at once during the case, counted by gaze's
//    host allocator (framework/host_allocator.h) or, on a GPU, the device's caching allocator;
//  * process peak RSS (VmHWM in /proc/self/status): what the operating system saw, libraries,
//    caches and the allocator's kept blocks included. Linux restarts VmHWM from the current RSS
//    when "5" is written to /proc/self/clear_refs; the allocator's cache is emptied first so one
//    case's kept blocks are not counted in the next. A process that ran other cases before still
//    holds some of their memory (glibc's heap), so the cleanest figure is one case per process.
#pragma once
#include <cstddef>
#include <optional>

#include "framework/device.h"

namespace gaze::bench {

class PeakMemory {
 public:
  // Starts measuring now: empties the allocator caches and restarts both peaks.
  explicit PeakMemory(Device device);
  // The most bytes of tensor storage live at once since construction, beyond those live then.
  size_t allocated_bytes() const;
  // The process's peak resident set since construction; nullopt where /proc cannot tell.
  std::optional<size_t> rss_bytes() const;

 private:
  Device device_;
  size_t baseline_ = 0;
};

}  // namespace gaze::bench
