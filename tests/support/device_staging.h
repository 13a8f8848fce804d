// Runs a device backend (`cuda`) on host KernelArgs, so the conformance suite's host-side cases
// test it unchanged: each argument's memory span is copied to the device with its strides
// intact (views, stride-0 broadcasts and offsets stay what they were), the kernel runs there,
// and outputs' spans are copied back. Test support only: every call synchronizes.
#pragma once
#include <memory>
#include <string>

#include "framework/backend.h"
#include "framework/device.h"

namespace gaze::test {

// Null when no device backend can run here; `why` then says why (build without CUDA, no GPU).
std::unique_ptr<Backend> make_device_staging_backend(Device device, std::string& why);

}  // namespace gaze::test
