#include "framework/storage.h"

#include <cstdlib>

#include "framework/error.h"

namespace gaze {

Storage::Storage(size_t nbytes, Device device) : nbytes_(nbytes), device_(device) {
  if (!device.is_cpu())
    fail("cannot allocate {} bytes on {}: this build of gaze has no CUDA backend yet", nbytes,
         device.str());
  size_t rounded = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
  data_ = std::aligned_alloc(64, rounded);
  if (data_ == nullptr) fail("out of host memory: could not allocate {} bytes", nbytes);
}

Storage::~Storage() { std::free(data_); }

}  // namespace gaze
