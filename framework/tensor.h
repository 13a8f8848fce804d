// Tensor: a cheap handle (shared ownership) to storage + shape + strides + offset + dtype, plus
// the autograd fields. Copying a Tensor copies the handle, never the data.
//
// The differentiable operations on tensors are free functions in autograd/ (gaze::add,
// gaze::matmul, gaze::reshape, ...), like torch.add; this class holds only what needs no graph.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "framework/backend.h"
#include "framework/device.h"
#include "framework/dtype.h"
#include "framework/random.h"
#include "framework/shape.h"
#include "framework/storage.h"

namespace gaze {

namespace autograd {
struct Node;
}
class Tensor;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;       // in elements
  int64_t offset = 0;  // in elements
  DType dtype = DType::f32;

  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;             // null for leaves
  std::weak_ptr<autograd::Node> grad_accumulator;      // leaves: the node that sums into grad
  // Leaves: called by the backward engine once this leaf's gradient of the current backward pass
  // is final (autograd/hooks.h). Kept here, not on the accumulator node, because that node lives
  // only as long as a graph does and hooks outlive graphs.
  std::vector<std::pair<uint64_t, std::function<void(const Tensor&)>>> post_accumulate_grad_hooks;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  const Shape& strides() const;
  int64_t offset() const;
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t dim) const;  // negative dims count from the end
  int64_t numel() const { return gaze::numel(shape()); }
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const;

  bool is_pinned() const;  // host memory that is page-locked (empty_pinned, pin_memory)

  // Host pointer to the first element, for code that reads or writes elements itself. T must
  // match the dtype; the tensor must be on the CPU (a GPU tensor's memory is not addressable
  // from the host: copy it with to(Device::cpu()) first).
  template <typename T>
  T* data() const { return static_cast<T*>(raw_data(sizeof(T))); }
  // Pointer to the first element on the tensor's own device (a device pointer for GPU tensors);
  // with element_size != 0 (data<T>), the tensor must be on the CPU.
  void* raw_data(size_t element_size = 0) const;
  KernelArg arg() const;  // what a kernel receives (on the tensor's device)

  // Host reads. On a GPU tensor they copy to the host first, after the device's queued work
  // (the synchronization point of a training loop).
  // Reads one element (any dtype) as double; the tensor must hold exactly one element.
  double item() const;
  // Copies all elements, in logical (row-major) order, converted to T.
  template <typename T>
  std::vector<T> to_vector() const;
  // Element at a multi-index, as double: for tests and printing.
  double at(const std::vector<int64_t>& index) const;

  // The same values on `device`, contiguous: this tensor itself when already there. The result is
  // a new leaf, cut from the graph; gaze::to_device (autograd/shape_ops.h) is the differentiable
  // form. Host to GPU copies come from pinned memory at full speed (pin_memory()).
  Tensor to(Device device) const;
  // A contiguous copy in page-locked host memory (needs CUDA); this tensor if already pinned.
  Tensor pin_memory() const;

  // ---- autograd -------------------------------------------------------------
  bool requires_grad() const;
  // Only leaves can be marked; float dtypes only.
  Tensor& set_requires_grad(bool requires_grad = true);
  Tensor grad() const;  // undefined until a backward pass reaches this leaf
  void set_grad(const Tensor& grad);
  void zero_grad() { set_grad(Tensor()); }
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  bool is_leaf() const { return grad_fn() == nullptr; }
  // A new handle to the same data that is cut from the graph (no grad_fn, no requires_grad).
  Tensor detach() const;
  // Runs the backward pass from this tensor (autograd/engine.cpp). Without `grad` the tensor
  // must hold one element and the gradient is 1.
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;

  // ---- non-differentiable, in place (optimizers, initialisers) --------------------------
  Tensor& fill_(double value);
  Tensor& copy_(const Tensor& source);  // same shape; converts dtype

  std::string str() const;  // shape, dtype, device and values
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }

  // A view sharing this tensor's storage, with no autograd: the building block of view ops.
  Tensor alias(const Shape& shape, const Shape& strides, int64_t offset) const;

 private:
  void check_defined(const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// ---- creation ---------------------------------------------------------------------------
Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor ones(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu());
Tensor full(const Shape& shape, double value, DType dtype = DType::f32, Device device = Device::cpu());
Tensor scalar_tensor(double value, DType dtype = DType::f32, Device device = Device::cpu());
// Uninitialised page-locked host memory (needs CUDA): a data loader's staging batch.
Tensor empty_pinned(const Shape& shape, DType dtype = DType::f32);
// [start, end) by step, like torch.arange.
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::f32);
Tensor arange(int64_t end, DType dtype = DType::i64);
// Uniform in [low, high) and standard normal, from `generator` (the default one if omitted).
Tensor rand(const Shape& shape, DType dtype = DType::f32, Generator* generator = nullptr);
Tensor uniform(const Shape& shape, double low, double high, DType dtype = DType::f32,
               Generator* generator = nullptr);
Tensor randn(const Shape& shape, DType dtype = DType::f32, Generator* generator = nullptr);
// Copies `values` (row-major) into a new tensor of `shape`; sizes must agree.
Tensor from_vector(const std::vector<float>& values, const Shape& shape);
Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = DType::f64);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);
Tensor empty_like(const Tensor& tensor);
Tensor zeros_like(const Tensor& tensor);
Tensor ones_like(const Tensor& tensor);

}  // namespace gaze
