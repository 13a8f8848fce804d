// CudaBackend: what it supports, and the elementwise and reduction kernels (elementwise.cu).
#include "backends/cuda/check.h"
#include "backends/cuda/context.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/kernels.h"
#include "backends/cuda/plan/plan.h"
#include "framework/error.h"

namespace gaze {
using namespace cuda;

namespace {

void check_same_dtype(const char* op, std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->dtype != (*args.begin())->dtype)
      fail("cuda {}: operands have different dtypes ({} and {})", op, dtype_name((*args.begin())->dtype),
           dtype_name(a->dtype));
}

void check_same_shape(const char* op, const KernelArg& out, std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->shape != out.shape)
      fail("cuda {}: operand shape {} differs from the output's {}", op, shape_str(a->shape), shape_str(out.shape));
}

void check_floating(const char* op, DType dtype) {
  if (!is_floating(dtype)) fail("cuda {}: dtype {} is not supported (f32 and f64 only)", op, dtype_name(dtype));
}

}  // namespace

bool CudaBackend::supports(Op op, DType dtype) const {
  // Concatenation attention without its map has CPU kernels only (framework/backend.h).
  if (op == Op::relu_pair_forward || op == Op::relu_pair_backward) return false;
  // So have the gating layers' fused passes; the layers compose them from elementwise ops here.
  if (op == Op::gate_multiply_forward || op == Op::gate_multiply_backward || op == Op::mean_max_pool_forward ||
      op == Op::mean_max_pool_backward)
    return false;
  if (is_floating(dtype)) return true;
  // i64 holds labels and indices, as in the reference: filled, copied, compared and summed.
  return op == Op::fill || op == Op::copy || op == Op::binary || op == Op::reduce;
}

void CudaBackend::fill(const KernelArg& out, double value) {
  launch_fill(out.dtype, out.data, elementwise_params(out.shape, {&out.strides}, "fill"), value, current_stream());
}

void CudaBackend::copy(const KernelArg& out, const KernelArg& in) {
  check_same_shape("copy", out, {&in});
  launch_copy(out.dtype, in.dtype, out.data, in.data, elementwise_params(out.shape, {&out.strides, &in.strides}, "copy"),
              current_stream());
}

void CudaBackend::unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) {
  const char* name = unary_op_name(op);
  check_same_dtype(name, {&out, &x});
  check_floating(name, out.dtype);
  check_same_shape(name, out, {&x});
  launch_unary(op, out.dtype, out.data, x.data, elementwise_params(out.shape, {&out.strides, &x.strides}, name), p,
               current_stream());
}

void CudaBackend::unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& x,
                                 const KernelArg& y, const UnaryParams& p) {
  const char* name = unary_op_name(op);
  check_same_dtype(name, {&grad_x, &grad_y, &x, &y});
  check_floating(name, grad_x.dtype);
  check_same_shape(name, grad_x, {&grad_y, &x, &y});
  launch_unary_backward(op, grad_x.dtype, grad_x.data, grad_y.data, x.data, y.data,
                        elementwise_params(grad_x.shape, {&grad_x.strides, &grad_y.strides, &x.strides, &y.strides}, name),
                        p, current_stream());
}

void CudaBackend::binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  const char* name = binary_op_name(op);
  check_same_dtype(name, {&out, &a, &b});
  check_same_shape(name, out, {&a, &b});
  launch_binary(op, out.dtype, out.data, a.data, b.data,
                elementwise_params(out.shape, {&out.strides, &a.strides, &b.strides}, name), current_stream());
}

void CudaBackend::reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  check_same_dtype(reduce_op_name(op), {&out, &in});
  ReduceParams p = reduce_params(out, in);
  if (p.count == 0 && p.outputs > 0 && (op == ReduceOp::max || op == ReduceOp::min))
    fail("cuda {}: cannot reduce an empty tensor (shape {})", reduce_op_name(op), shape_str(in.shape));
  int64_t chunks = reduce_chunk_count(p.outputs, p.count);
  if (chunks > 1) {
    DeviceBuffer partials(static_cast<size_t>(p.outputs * chunks) * sizeof(double));
    launch_reduce_chunked(op, out.dtype, out.data, in.data, p, chunks, static_cast<double*>(partials.data()), current_stream());
  } else {
    launch_reduce(op, out.dtype, out.data, in.data, p, current_stream());
  }
}

}  // namespace gaze
