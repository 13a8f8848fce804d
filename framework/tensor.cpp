#include "framework/tensor.h"

#include <cmath>
#include <sstream>

#include "framework/backend_registry.h"
#include "framework/device_memory.h"
#include "framework/error.h"

namespace gaze {
namespace {

// Storage offset (in elements) of the element with row-major position `linear`.
int64_t element_offset(const TensorImpl& impl, int64_t linear) {
  int64_t offset = impl.offset;
  for (size_t d = impl.shape.size(); d-- > 0;) {
    int64_t size = impl.shape[d];
    offset += (linear % size) * impl.strides[d];
    linear /= size;
  }
  return offset;
}

double read_element(const TensorImpl& impl, int64_t offset) {
  const char* base = static_cast<const char*>(impl.storage->data());
  switch (impl.dtype) {
    case DType::f32: return reinterpret_cast<const float*>(base)[offset];
    case DType::f64: return reinterpret_cast<const double*>(base)[offset];
    case DType::i64: return static_cast<double>(reinterpret_cast<const int64_t*>(base)[offset]);
  }
  return 0.0;
}

}  // namespace

void Tensor::check_defined(const char* what) const {
  if (!impl_) fail("{}: the tensor is undefined (default-constructed or moved from)", what);
}

const Shape& Tensor::shape() const { check_defined("shape"); return impl_->shape; }
const Shape& Tensor::strides() const { check_defined("strides"); return impl_->strides; }
int64_t Tensor::offset() const { check_defined("offset"); return impl_->offset; }
DType Tensor::dtype() const { check_defined("dtype"); return impl_->dtype; }
Device Tensor::device() const { check_defined("device"); return impl_->storage->device(); }
const std::shared_ptr<Storage>& Tensor::storage() const { check_defined("storage"); return impl_->storage; }

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }

bool Tensor::is_contiguous() const { return arg().is_contiguous(); }

void* Tensor::raw_data(size_t element_size) const {
  check_defined("data");
  if (element_size != 0 && !device().is_cpu())
    fail("data<T>: the tensor (shape {}) is on {}, whose memory the host cannot address; copy it "
         "with to(Device::cpu()) first", shape_str(impl_->shape), device().str());
  if (element_size != 0 && element_size != dtype_size(impl_->dtype))
    fail("data<T>: element size {} does not match the tensor's dtype {}", element_size,
         dtype_name(impl_->dtype));
  return static_cast<char*>(impl_->storage->data()) + impl_->offset * dtype_size(impl_->dtype);
}

KernelArg Tensor::arg() const {
  check_defined("kernel argument");
  return KernelArg{raw_data(), impl_->dtype, impl_->shape, impl_->strides};
}

bool Tensor::is_pinned() const { return storage()->pinned(); }

double Tensor::item() const {
  check_defined("item");
  if (numel() != 1)
    fail("item: the tensor has {} elements (shape {}); item() needs exactly one", numel(),
         shape_str(shape()));
  if (!device().is_cpu()) return to(Device::cpu()).item();
  return read_element(*impl_, element_offset(*impl_, 0));
}

double Tensor::at(const std::vector<int64_t>& index) const {
  check_defined("at");
  if (static_cast<int64_t>(index.size()) != dim())
    fail("at: {} indices given for a tensor of shape {}", index.size(), shape_str(shape()));
  int64_t offset = impl_->offset;
  for (size_t d = 0; d < index.size(); ++d) {
    if (index[d] < 0 || index[d] >= impl_->shape[d])
      fail("at: index {} is out of range for dim {} of size {}", index[d], d, impl_->shape[d]);
    offset += index[d] * impl_->strides[d];
  }
  if (!device().is_cpu()) {  // one element to the host: printing and tests only
    Tensor host = empty({}, dtype());
    size_t size = dtype_size(dtype());
    gpu_memory().copy_device_to_host(host.raw_data(), static_cast<const char*>(impl_->storage->data()) + offset * size, size,
                              device().index);
    return host.item();
  }
  return read_element(*impl_, offset);
}

template <typename T>
std::vector<T> Tensor::to_vector() const {
  check_defined("to_vector");
  if (!device().is_cpu()) return to(Device::cpu()).to_vector<T>();
  std::vector<T> values(numel());
  for (int64_t i = 0; i < numel(); ++i)
    values[i] = static_cast<T>(read_element(*impl_, element_offset(*impl_, i)));
  return values;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

bool Tensor::requires_grad() const { return impl_ && impl_->requires_grad; }

Tensor& Tensor::set_requires_grad(bool requires_grad) {
  check_defined("set_requires_grad");
  if (!is_leaf())
    fail("set_requires_grad: only leaf tensors can be marked; this one is the output of '{}' "
         "(use detach() to make a leaf)", "an op");
  if (requires_grad && !is_floating(dtype()))
    fail("set_requires_grad: only floating-point tensors can require gradients, not {}",
         dtype_name(dtype()));
  impl_->requires_grad = requires_grad;
  return *this;
}

Tensor Tensor::grad() const {
  check_defined("grad");
  return Tensor(impl_->grad);
}

void Tensor::set_grad(const Tensor& grad) {
  check_defined("set_grad");
  if (grad.defined() && grad.shape() != shape())
    fail("set_grad: gradient shape {} does not match the tensor's shape {}", shape_str(grad.shape()),
         shape_str(shape()));
  impl_->grad = grad.impl_ptr();
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  check_defined("grad_fn");
  return impl_->grad_fn;
}

Tensor Tensor::alias(const Shape& shape, const Shape& strides, int64_t offset) const {
  check_defined("alias");
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = impl_->storage;
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = impl_->dtype;
  return Tensor(impl);
}

Tensor Tensor::detach() const { return alias(shape(), strides(), offset()); }

Tensor& Tensor::fill_(double value) {
  check_defined("fill_");
  kernel_backend(Op::fill, dtype(), device()).fill(arg(), value);
  return *this;
}

Tensor& Tensor::copy_(const Tensor& source) {
  check_defined("copy_");
  if (source.shape() != shape())
    fail("copy_: source shape {} does not match destination shape {}", shape_str(source.shape()),
         shape_str(shape()));
  if (!(source.device() == device())) {
    // Across devices: bring the source here first (contiguous, in its own dtype), then the
    // kernel converts the dtype and lays it out into this view.
    Tensor here = source.to(device());
    kernel_backend(Op::copy, dtype(), device()).copy(arg(), here.arg());
    return *this;
  }
  kernel_backend(Op::copy, dtype(), device()).copy(arg(), source.arg());
  return *this;
}

Tensor Tensor::to(Device target) const {
  check_defined("to");
  Device source = device();
  if (source == target) return *this;
  // Make it contiguous where it is (a kernel on its own device), then move the bytes.
  Tensor packed = is_contiguous() ? *this : empty(shape(), dtype(), source).copy_(*this);
  Tensor out = empty(shape(), dtype(), target);
  size_t bytes = static_cast<size_t>(numel()) * dtype_size(dtype());
  if (source.is_cpu()) gpu_memory().copy_host_to_device(out.raw_data(), packed.raw_data(), bytes, target.index);
  else if (target.is_cpu()) gpu_memory().copy_device_to_host(out.raw_data(), packed.raw_data(), bytes, source.index);
  else gpu_memory().copy_device_to_device(out.raw_data(), target.index, packed.raw_data(), source.index, bytes);
  return out;
}

Tensor Tensor::pin_memory() const {
  check_defined("pin_memory");
  if (!device().is_cpu()) fail("pin_memory: the tensor is on {}; only host tensors can be pinned", device().str());
  if (is_pinned()) return *this;
  return empty_pinned(shape(), dtype()).copy_(*this);
}

// ---- printing --------------------------------------------------------------------------------

namespace {

void print_values(std::ostream& out, const Tensor& t, std::vector<int64_t>& index, size_t d,
                  int indent) {
  constexpr int64_t kEdge = 3;  // elements shown at each end of a long dim
  int64_t n = t.shape()[d];
  out << '[';
  for (int64_t i = 0; i < n; ++i) {
    if (n > 2 * kEdge && i == kEdge) {
      out << (d + 1 == index.size() ? "..., " : "...,\n" + std::string(indent + 1, ' '));
      i = n - kEdge;
    }
    index[d] = i;
    if (d + 1 == index.size()) {
      double v = t.at(index);
      if (t.dtype() == DType::i64) out << static_cast<int64_t>(v);
      else out << fmt::format("{:.4g}", v);
    } else {
      print_values(out, t, index, d + 1, indent + 1);
    }
    if (i + 1 < n) out << (d + 1 == index.size() ? ", " : ",\n" + std::string(indent + 1, ' '));
  }
  out << ']';
}

}  // namespace

std::string Tensor::str() const {
  if (!impl_) return "Tensor(undefined)";
  // Values are read from one host copy (one synchronization), not element by element.
  const Tensor host = device().is_cpu() ? *this : to(Device::cpu());
  std::ostringstream out;
  out << "Tensor(shape=" << shape_str(shape()) << ", dtype=" << dtype_name(dtype())
      << ", device=" << device().str();
  if (requires_grad()) out << ", requires_grad";
  out << ")\n";
  if (dim() == 0) {
    out << fmt::format("{:.6g}", host.item());
  } else if (numel() == 0) {
    out << "[]";
  } else {
    std::vector<int64_t> index(dim(), 0);
    print_values(out, host, index, 0, 0);
  }
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Tensor& tensor) { return out << tensor.str(); }

// ---- creation ---------------------------------------------------------------------------------

Tensor empty(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape)
    if (s < 0) fail("empty: negative size in shape {}", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel(shape) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(impl);
}

Tensor full(const Shape& shape, double value, DType dtype, Device device) {
  return empty(shape, dtype, device).fill_(value);
}
Tensor zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor scalar_tensor(double value, DType dtype, Device device) { return full({}, value, dtype, device); }

Tensor empty_pinned(const Shape& shape, DType dtype) {
  for (int64_t s : shape)
    if (s < 0) fail("empty_pinned: negative size in shape {}", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(numel(shape) * dtype_size(dtype), Device::cpu(), /*pinned=*/true);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(impl);
}

Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype(), t.device()); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype(), t.device()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype(), t.device()); }

namespace {

// Fills a new host tensor element by element from `next()` (row-major).
template <typename Next>
Tensor generate(const Shape& shape, DType dtype, Next next) {
  Tensor t = empty(shape, dtype);
  int64_t n = t.numel();
  switch (dtype) {
    case DType::f32: for (int64_t i = 0; i < n; ++i) t.data<float>()[i] = static_cast<float>(next(i)); break;
    case DType::f64: for (int64_t i = 0; i < n; ++i) t.data<double>()[i] = next(i); break;
    case DType::i64: for (int64_t i = 0; i < n; ++i) t.data<int64_t>()[i] = static_cast<int64_t>(next(i)); break;
  }
  return t;
}

}  // namespace

Tensor arange(double start, double end, double step, DType dtype) {
  if (step == 0.0) fail("arange: step must be non-zero");
  double count = std::ceil((end - start) / step);
  int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  return generate({n}, dtype, [&](int64_t i) { return start + step * static_cast<double>(i); });
}

Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator* generator) {
  if (!is_floating(dtype)) fail("uniform: dtype must be f32 or f64, not {}", dtype_name(dtype));
  Generator& g = generator ? *generator : default_generator();
  return generate(shape, dtype, [&](int64_t) { return low + (high - low) * g.uniform(); });
}

Tensor rand(const Shape& shape, DType dtype, Generator* generator) {
  return uniform(shape, 0.0, 1.0, dtype, generator);
}

Tensor randn(const Shape& shape, DType dtype, Generator* generator) {
  if (!is_floating(dtype)) fail("randn: dtype must be f32 or f64, not {}", dtype_name(dtype));
  Generator& g = generator ? *generator : default_generator();
  return generate(shape, dtype, [&](int64_t) { return g.normal(); });
}

namespace {

void check_count(size_t count, const Shape& shape) {
  if (static_cast<int64_t>(count) != numel(shape))
    fail("from_vector: {} values cannot fill shape {} ({} elements)", count, shape_str(shape),
         numel(shape));
}

}  // namespace

Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
  check_count(values.size(), shape);
  return generate(shape, DType::f32, [&](int64_t i) { return static_cast<double>(values[i]); });
}

Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
  check_count(values.size(), shape);
  return generate(shape, dtype, [&](int64_t i) { return values[i]; });
}

Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  check_count(values.size(), shape);
  Tensor t = empty(shape, DType::i64);
  std::copy(values.begin(), values.end(), t.data<int64_t>());
  return t;
}

}  // namespace gaze
