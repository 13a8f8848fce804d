// Shared plumbing for the differentiable ops: which backend runs a kernel, broadcasting views,
// reducing a gradient back to an input's shape. Internal to autograd/.
#pragma once
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "framework/backend_registry.h"
#include "framework/error.h"
#include "framework/tensor.h"

namespace gaze::autograd {

inline Backend& backend(Op op, const Tensor& t) { return kernel_backend(op, t.dtype(), t.device()); }

// Whether a gradient will be recorded for `t` (so its backward needs saved tensors).
inline bool will_need_grad(const Tensor& t) { return grad_enabled() && t.defined() && t.requires_grad(); }

void check_defined(const char* op, const Tensor& t, const char* which = "input");
// Equal dtypes and equal devices (the error names both devices and the fix).
void check_same_dtype(const char* op, const Tensor& a, const Tensor& b);
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
void check_floating(const char* op, const Tensor& t);

// `t` seen with `shape` (NumPy broadcasting): stride 0 along broadcast dims, no copy.
KernelArg broadcast_arg(const Tensor& t, const Shape& shape);
// Sums `grad` over the dims that broadcasting added or stretched, giving `shape`.
Tensor sum_to(const Tensor& grad, const Shape& shape);
// An empty optional tensor as a kernel argument (data == nullptr).
KernelArg optional_arg(const Tensor& t);

}  // namespace gaze::autograd
