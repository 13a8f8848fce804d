#include "autograd/op_support.h"

#include "autograd/reduce.h"
#include "autograd/shape_ops.h"

namespace gaze::autograd {

void check_defined(const char* op, const Tensor& t, const char* which) {
  if (!t.defined()) fail("{}: the {} tensor is undefined", op, which);
}

void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a);
  check_defined(op, b);
  if (a.dtype() != b.dtype())
    fail("{}: dtypes {} and {} differ (shapes {} and {}); convert one with to_dtype()", op,
         dtype_name(a.dtype()), dtype_name(b.dtype()), shape_str(a.shape()), shape_str(b.shape()));
  check_same_device(op, a, b);
}

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a);
  check_defined(op, b);
  if (!(a.device() == b.device()))
    fail("{}: tensors are on different devices ({} and {}, shapes {} and {}); move one with .to({})", op,
         a.device().str(), b.device().str(), shape_str(a.shape()), shape_str(b.shape()), a.device().str());
}

void check_floating(const char* op, const Tensor& t) {
  check_defined(op, t);
  if (!is_floating(t.dtype()))
    fail("{}: expected a floating-point tensor (f32 or f64), got {} of shape {}", op,
         dtype_name(t.dtype()), shape_str(t.shape()));
}

KernelArg broadcast_arg(const Tensor& t, const Shape& shape) {
  KernelArg arg = t.arg();
  size_t lead = shape.size() - arg.shape.size();
  Shape strides(shape.size(), 0);
  for (size_t d = 0; d < arg.shape.size(); ++d)
    strides[lead + d] = arg.shape[d] == 1 ? 0 : arg.strides[d];
  arg.shape = shape;
  arg.strides = strides;
  return arg;
}

Tensor sum_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  size_t lead = grad.dim() - shape.size();
  std::vector<int64_t> dims;
  for (size_t d = 0; d < static_cast<size_t>(grad.dim()); ++d)
    if (d < lead || (shape[d - lead] == 1 && grad.shape()[d] != 1)) dims.push_back(static_cast<int64_t>(d));
  Tensor reduced = dims.empty() ? grad : sum(grad, dims, /*keepdim=*/true);
  return reshape(reduced, shape);
}

KernelArg optional_arg(const Tensor& t) {
  if (!t.defined()) return KernelArg{};
  return t.arg();
}

}  // namespace gaze::autograd
