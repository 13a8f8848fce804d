// Which backend runs the kernels. CPU backends share host memory, so switching between them is
// free. Selection order: set_cpu_backend() (the CLI's --backend, a config's backend:), else the
// GAZE_BACKEND environment variable, else the fastest CPU backend built.
//
// The registry knows no backend by name: the backends layer adds the ones it built
// (backends/builtin_backends.cpp, through add_builtin_*), as factories that run when the
// registry is first used.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/backend.h"
#include "framework/device.h"

namespace gaze {

// The CPU backends built, fastest first. The `cuda` backend is not among them: it runs the
// kernels of tensors on a GPU, whichever CPU backend is selected.
std::vector<std::string> available_backends();
// Whether this build has the `cuda` backend (a GPU may still be absent: gpu_memory()'s
// unavailable_reason() says, framework/device_memory.h).
bool cuda_backend_built();

// For the backends layer, at static initialization, before the registry is first used: a CPU
// backend built into this program, ranked by speed (the highest rank is selected by default),
// and the backend that runs GPU tensors (named `cuda`). The factories run once, on first use.
using BackendFactory = std::function<std::unique_ptr<Backend>()>;
void add_builtin_cpu_backend(int rank, BackendFactory make);
void add_builtin_gpu_backend(BackendFactory make);
// Adds a backend of the user's (docs/backends.md shows how to write one); it is not selected.
// Its name must be new.
void register_backend(std::unique_ptr<Backend> backend);
// Removes a registered backend that is not the selected one.
void unregister_backend(const std::string& name);
// Any backend by name, `cuda` included; an error listing the names when unknown.
Backend& get_backend(const std::string& name);
void set_cpu_backend(const std::string& name);
Backend& cpu_backend();
// When on, a kernel the selected backend does not support runs on `reference` instead of
// raising an error.
void set_backend_fallback(bool enabled);
bool backend_fallback();

// The backend that runs `op` for `dtype` on `device`: the selected CPU backend for CPU tensors,
// `cuda` for GPU tensors (made the thread's current device). An error naming backend, op and
// dtype when it cannot, unless fallback is on (CPU only: a CPU kernel cannot read GPU memory).
Backend& kernel_backend(Op op, DType dtype, Device device = Device::cpu());
// Whether kernel_backend would find a backend for `op` (no error): for a layer that has another
// way to compute when a kernel is missing.
bool kernel_available(Op op, DType dtype, Device device = Device::cpu());

}  // namespace gaze
