// A block of memory on one device, shared by every tensor (and view) that points into it.
#pragma once
#include <cstddef>
#include <memory>

#include "framework/device.h"

namespace gaze {

class Storage {
 public:
  // Allocates `nbytes` on `device`: on the host from the caching allocator (host_allocator.h),
  // 64-byte aligned so vector kernels can load it aligned; on a GPU from that device's caching
  // allocator (framework/caching_allocator.h). `pinned` (host only) asks for page-locked memory,
  // which host-to-GPU copies read at full speed; it needs CUDA. The contents are uninitialised.
  Storage(size_t nbytes, Device device, bool pinned = false);
  ~Storage();
  // Memory owned elsewhere (interop; tests that need a tensor "on" a device without one): it is
  // never freed by gaze, and the caller keeps it alive as long as the storage.
  static std::shared_ptr<Storage> borrow(void* data, size_t nbytes, Device device);
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  // On a GPU this is a device pointer: only kernels may dereference it.
  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool pinned() const { return pinned_; }

 private:
  void* data_ = nullptr;
  size_t nbytes_ = 0;
  Device device_;
  bool pinned_ = false;
  bool borrowed_ = false;
  Storage() = default;
};

}  // namespace gaze
