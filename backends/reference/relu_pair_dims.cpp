#include "backends/reference/relu_pair_dims.h"

#include "framework/error.h"

namespace gaze::reference {
namespace {

void check_relu_pair_operand(const char* who, const char* name, const KernelArg& x, DType dtype, const Shape& want) {
  if (x.shape != want)
    fail("{}: {} has shape {}, expected {} (a [B,Nq], k [B,Nk], v [B,Nk,C], out [B,Nq,C])", who, name,
         shape_str(x.shape), shape_str(want));
  if (x.dtype != dtype)
    fail("{}: {} is {} but a is {}; every operand must have one dtype", who, name, dtype_name(x.dtype),
         dtype_name(dtype));
  if (!is_floating(dtype)) fail("{}: dtype {} is not supported (f32 and f64 only)", who, dtype_name(dtype));
  if (!x.is_contiguous()) fail("{}: {} must be contiguous (the autograd op makes it so)", who, name);
}

}  // namespace

ReluPairDims relu_pair_dims(const char* who, const KernelArg& out, const KernelArg& a, const KernelArg& k,
                            const KernelArg& v) {
  if (a.dim() != 2 || k.dim() != 2 || v.dim() != 3)
    fail("{}: expected a [B,Nq], k [B,Nk] and v [B,Nk,C], got {}, {} and {}", who, shape_str(a.shape),
         shape_str(k.shape), shape_str(v.shape));
  ReluPairDims d{a.shape[0], a.shape[1], k.shape[1], v.shape[2]};
  check_relu_pair_operand(who, "a", a, a.dtype, a.shape);
  check_relu_pair_operand(who, "k", k, a.dtype, {d.batch, d.keys});
  check_relu_pair_operand(who, "v", v, a.dtype, {d.batch, d.keys, d.channels});
  check_relu_pair_operand(who, "out", out, a.dtype, {d.batch, d.queries, d.channels});
  return d;
}

ReluPairDims relu_pair_backward_dims(const char* who, const KernelArg& grad_a, const KernelArg& grad_k,
                                     const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& a,
                                     const KernelArg& k, const KernelArg& v) {
  ReluPairDims d = relu_pair_dims(who, grad_out, a, k, v);
  check_relu_pair_operand(who, "grad_a", grad_a, a.dtype, a.shape);
  check_relu_pair_operand(who, "grad_k", grad_k, a.dtype, k.shape);
  check_relu_pair_operand(who, "grad_v", grad_v, a.dtype, v.shape);
  return d;
}

}  // namespace gaze::reference
