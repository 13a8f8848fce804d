// A block of memory on one device, shared by every tensor (and view) that points into it.
#pragma once
#include <cstddef>
#include <memory>

#include "framework/device.h"

namespace gaze {

class Storage {
 public:
  // Allocates `nbytes` on `device`: on the host from the caching allocator (host_allocator.h),
  // 64-byte aligned so vector kernels can load it aligned. The contents are uninitialised.
  Storage(size_t nbytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
};

}  // namespace gaze
