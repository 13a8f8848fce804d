#include "framework/backend_registry.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "framework/device_memory.h"
#include "framework/error.h"

namespace gaze {
namespace {

// What the backends layer announced, before the registry is made from it.
struct BuiltinBackends {
  std::vector<std::pair<int, BackendFactory>> cpu;  // rank, factory
  BackendFactory gpu;
  bool taken = false;  // the registry has been made: later announcements are a program error
};

BuiltinBackends& builtins() {
  static BuiltinBackends instance;
  return instance;
}

struct Registry {
  std::vector<std::unique_ptr<Backend>> backends;  // fastest first
  Backend* selected = nullptr;
  bool fallback = false;
  std::unique_ptr<Backend> cuda;  // GPU tensors' kernels; null in a build without CUDA
};

Registry& registry() {
  static Registry instance = [] {
    BuiltinBackends& built = builtins();
    built.taken = true;
    if (built.cpu.empty())
      fail("no CPU backend is registered: this program does not link gaze's backends layer whole (CMake: link "
           "gaze_autograd, or gaze_backends through $<LINK_LIBRARY:WHOLE_ARCHIVE,gaze_backends>)");
    std::stable_sort(built.cpu.begin(), built.cpu.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    Registry r;
    for (auto& [rank, make] : built.cpu) r.backends.push_back(make());
    if (built.gpu) r.cuda = built.gpu();  // touches no GPU until a kernel runs
    r.selected = r.backends.front().get();
    if (const char* env = std::getenv("GAZE_BACKEND"); env != nullptr && *env != '\0') {
      for (auto& backend : r.backends)
        if (backend->name() == env) r.selected = backend.get();
      if (r.selected->name() != env) {
        std::vector<std::string> names;
        for (auto& backend : r.backends) names.push_back(backend->name());
        fail("GAZE_BACKEND={} is not a backend of this build; built: {}", env,
             fmt::join(names, ", "));
      }
    }
    return r;
  }();
  return instance;
}

void check_not_taken(const char* what) {
  if (builtins().taken) fail("{}: the backend registry is already in use; built-in backends are added at static initialization", what);
}

}  // namespace

std::vector<std::string> available_backends() {
  std::vector<std::string> names;
  for (auto& backend : registry().backends) names.push_back(backend->name());
  return names;
}

bool cuda_backend_built() { return registry().cuda != nullptr; }

void add_builtin_cpu_backend(int rank, BackendFactory make) {
  check_not_taken("add_builtin_cpu_backend");
  builtins().cpu.emplace_back(rank, std::move(make));
}

void add_builtin_gpu_backend(BackendFactory make) {
  check_not_taken("add_builtin_gpu_backend");
  builtins().gpu = std::move(make);
}

void register_backend(std::unique_ptr<Backend> backend) {
  if (!backend) fail("register_backend: null backend");
  if (backend->name() == "cuda") fail("register_backend: the name 'cuda' is reserved for the built-in GPU backend");
  for (auto& existing : registry().backends)
    if (existing->name() == backend->name()) fail("register_backend: a backend named '{}' is already registered", backend->name());
  registry().backends.push_back(std::move(backend));
}

void unregister_backend(const std::string& name) {
  auto& list = registry().backends;
  for (auto it = list.begin(); it != list.end(); ++it) {
    if ((*it)->name() != name) continue;
    if (it->get() == registry().selected) fail("unregister_backend: '{}' is the selected backend; select another first", name);
    list.erase(it);
    return;
  }
  fail("unregister_backend: no backend named '{}'", name);
}

Backend& get_backend(const std::string& name) {
  for (auto& backend : registry().backends)
    if (backend->name() == name) return *backend;
  if (name == "cuda") {
    if (registry().cuda) return *registry().cuda;
    fail("backend 'cuda' is not built: {}", gpu_memory().unavailable_reason());
  }
  fail("unknown backend '{}'; built: {}{}", name, fmt::join(available_backends(), ", "), cuda_backend_built() ? ", cuda (GPU tensors)" : "");
}

void set_cpu_backend(const std::string& name) {
  if (name == "cuda")
    fail("'cuda' cannot be selected as the CPU backend: it runs the kernels of tensors on a GPU. Move the "
         "model and its inputs there instead (module->to(Device::cuda()), tensor.to(Device::cuda()), "
         "or train.device: cuda in a config)");
  registry().selected = &get_backend(name);
}
Backend& cpu_backend() { return *registry().selected; }
void set_backend_fallback(bool enabled) { registry().fallback = enabled; }
bool backend_fallback() { return registry().fallback; }

namespace {

Backend& cuda_kernel_backend(Op op, DType dtype, Device device) {
  Registry& r = registry();
  if (!r.cuda)
    fail("{}: the tensors are on {}, but this build has no CUDA backend ({})", op_name(op), device.str(),
         gpu_memory().unavailable_reason());
  gpu_memory().use_device(device.index);
  if (r.cuda->supports(op, dtype)) return *r.cuda;
  fail("backend 'cuda' does not support op '{}' for dtype {} (fallback to 'reference' cannot read GPU memory: "
       "move the tensors to the CPU for this op)", op_name(op), dtype_name(dtype));
}

}  // namespace

Backend& kernel_backend(Op op, DType dtype, Device device) {
  if (device.is_cuda()) return cuda_kernel_backend(op, dtype, device);
  Backend& backend = cpu_backend();
  if (backend.supports(op, dtype)) return backend;
  if (registry().fallback) {
    Backend& reference = get_backend("reference");
    if (reference.supports(op, dtype)) return reference;
  }
  fail("backend '{}' does not support op '{}' for dtype {} (enable fallback to run it on "
       "'reference')", backend.name(), op_name(op), dtype_name(dtype));
}

bool kernel_available(Op op, DType dtype, Device device) {
  Registry& r = registry();
  if (device.is_cuda()) return r.cuda && r.cuda->supports(op, dtype);
  if (cpu_backend().supports(op, dtype)) return true;
  return r.fallback && get_backend("reference").supports(op, dtype);
}

}  // namespace gaze
