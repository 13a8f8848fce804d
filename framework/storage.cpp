#include "framework/storage.h"

#include <cstdio>

#include "framework/device_memory.h"
#include "framework/error.h"
#include "framework/host_allocator.h"

namespace gaze {

Storage::Storage(size_t nbytes, Device device, bool pinned) : nbytes_(nbytes), device_(device), pinned_(pinned) {
  if (device.is_cuda()) {
    if (pinned) fail("pinned memory is host memory; allocate it on the cpu device, not {}", device.str());
    data_ = gpu_memory().allocate(nbytes, device.index);
  } else if (pinned) {
    data_ = gpu_memory().pinned_allocate(nbytes);
  } else {
    data_ = host_allocate(nbytes);
  }
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, Device device) {
  std::shared_ptr<Storage> s(new Storage());
  s->data_ = data;
  s->nbytes_ = nbytes;
  s->device_ = device;
  s->borrowed_ = true;
  return s;
}

Storage::~Storage() {
  if (borrowed_) return;
  try {
    if (device_.is_cuda()) gpu_memory().release(data_, nbytes_, device_.index);
    else if (pinned_) gpu_memory().pinned_release(data_);
    else host_release(data_, nbytes_);
  } catch (const std::exception& e) {
    // A destructor must not throw; a failing release means the device is already lost.
    fmt::print(stderr, "gaze: releasing {} on {} failed: {}\n", format_bytes(nbytes_), device_.str(), e.what());
  }
}

}  // namespace gaze
