#include "backends/onednn/context.h"

#include <oneapi/dnnl/dnnl_debug.h>

#include <mutex>
#include <unordered_map>

namespace gaze::onednn {

dnnl::engine& engine() {
  static dnnl::engine instance(dnnl::engine::kind::cpu, 0);
  return instance;
}

dnnl::stream& stream() {
  static dnnl::stream instance(engine());
  return instance;
}

bool all_f32(std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->data != nullptr && a->dtype != DType::f32) return false;
  return true;
}

bool all_dense(std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->data != nullptr && (a->numel() == 0 || !a->is_contiguous())) return false;
  return true;
}

dims to_dims(const Shape& shape) { return dims(shape.begin(), shape.end()); }

dnnl::memory::desc f32_desc(const Shape& shape, const Shape& strides) {
  return dnnl::memory::desc(to_dims(shape), dnnl::memory::data_type::f32, to_dims(strides));
}

dnnl::memory::desc f32_desc(const Shape& shape) {
  return f32_desc(shape, contiguous_strides(shape));
}

dnnl::memory wrap(const dnnl::memory::desc& desc, const void* data) {
  return dnnl::memory(desc, engine(), const_cast<void*>(data));
}

namespace {

// Primitives are immutable once created, so entries are shared and never evicted: a model has
// a bounded set of shapes.
struct Cache {
  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<const void>> entries;
};

Cache& cache() {
  static Cache instance;
  return instance;
}

}  // namespace

std::shared_ptr<const void> cache_lookup(const std::string& key) {
  std::lock_guard lock(cache().mutex);
  auto it = cache().entries.find(key);
  return it == cache().entries.end() ? nullptr : it->second;
}

void cache_store(const std::string& key, std::shared_ptr<const void> entry) {
  std::lock_guard lock(cache().mutex);
  cache().entries.emplace(key, std::move(entry));
}

void rethrow(const char* kernel, std::initializer_list<const KernelArg*> args,
             const dnnl::error& e) {
  std::vector<std::string> shapes;
  for (const KernelArg* a : args) shapes.push_back(a->data == nullptr ? "none" : shape_str(a->shape));
  fail("onednn {}: oneDNN failed on shapes {} ({}): {}", kernel, fmt::join(shapes, ", "),
       dnnl_status2str(e.status), e.what());
}

bool reference_only(const dnnl::primitive_desc_base& pd) {
  return std::string(pd.impl_info_str()).starts_with("ref");
}

void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args) {
  p.execute(stream(), args);
  stream().wait();
}

}  // namespace gaze::onednn
