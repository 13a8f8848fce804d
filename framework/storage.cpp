#include "framework/storage.h"

#include "framework/error.h"
#include "framework/host_allocator.h"

namespace gaze {

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (!device.is_cpu())
    fail("cannot allocate {} bytes on {}: this build of gaze has no CUDA backend yet", nbytes,
         device.str());
  data_ = host_allocate(nbytes);
}

Storage::~Storage() { host_release(data_, nbytes_); }

}  // namespace gaze
