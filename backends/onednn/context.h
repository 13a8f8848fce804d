// What every onednn kernel shares: the one CPU engine and stream, memory descriptors built from
// KernelArgs, the primitive cache (so a training loop creates each primitive once) and the
// translation of dnnl::error into gaze::Error.
#pragma once
#include <oneapi/dnnl/dnnl.hpp>

#include <initializer_list>
#include <memory>
#include <string>
#include <unordered_map>

#include "framework/backend.h"
#include "framework/error.h"

namespace gaze::onednn {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;

dnnl::engine& engine();
dnnl::stream& stream();

// True when every argument that is present (data != nullptr) is f32: the only dtype these
// kernels run; everything else goes to the parent backend.
bool all_f32(std::initializer_list<const KernelArg*> args);
// True when every present argument is contiguous and non-empty.
bool all_dense(std::initializer_list<const KernelArg*> args);

dims to_dims(const Shape& shape);
// An f32 descriptor with the given dims and element strides.
dnnl::memory::desc f32_desc(const Shape& shape, const Shape& strides);
// An f32 descriptor of a contiguous array viewed with `shape` (same element count).
dnnl::memory::desc f32_desc(const Shape& shape);
// A memory object over caller-owned data (oneDNN's handle is non-const; inputs are not written).
dnnl::memory wrap(const dnnl::memory::desc& desc, const void* data);

// The primitive cache, one process-wide map guarded by a mutex: entries (primitives and what
// they need besides the call's data) are immutable and shared.
std::shared_ptr<const void> cache_lookup(const std::string& key);
void cache_store(const std::string& key, std::shared_ptr<const void> entry);

// The entry cached under `key`, created by make() on first use. Keys start with the kernel
// name and hold every dim, stride and parameter the primitive depends on, so one key always
// maps to one Entry type and one primitive.
template <typename Entry, typename Make>
std::shared_ptr<const Entry> cached(const std::string& key, Make&& make) {
  if (auto hit = cache_lookup(key)) return std::static_pointer_cast<const Entry>(hit);
  auto entry = std::make_shared<const Entry>(make());
  cache_store(key, entry);
  return entry;
}

[[noreturn]] void rethrow(const char* kernel, std::initializer_list<const KernelArg*> args,
                          const dnnl::error& e);

// Runs fn and returns its result, turning a dnnl::error into a gaze::Error naming the backend,
// kernel and shapes.
template <typename Fn>
auto guarded(const char* kernel, std::initializer_list<const KernelArg*> args, Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    rethrow(kernel, args, e);
  }
}

// True when oneDNN has only its reference implementation (plain loops, "ref:any") for pd. For
// reduction, softmax, binary and matmul the parent's OpenMP/BLAS kernels are then faster
// (docs/backends.md), so those kernels cache no primitive and call the parent instead.
bool reference_only(const dnnl::primitive_desc_base& pd);

// Runs a primitive on the stream and waits for it.
void execute(const dnnl::primitive& p, const std::unordered_map<int, dnnl::memory>& args);

}  // namespace gaze::onednn
