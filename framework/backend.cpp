#include "framework/backend.h"

#include "framework/error.h"

namespace gaze {

void Backend::conv_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_out,
                            const KernelArg& x, const KernelArg& weight, const ConvParams& p) {
  conv_backward_data(grad_x, grad_out, weight, p);
  conv_backward_weight(grad_weight, grad_out, x, p);
}

bool KernelArg::is_contiguous() const {
  int64_t expected = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (shape[i] != 1 && strides[i] != expected) return false;
    expected *= shape[i];
  }
  return true;
}

bool is_channel_major(const KernelArg& a) {
  if (a.dim() != 3 || a.is_contiguous()) return false;
  KernelArg transposed{a.data, a.dtype, {a.shape[0], a.shape[2], a.shape[1]}, {a.strides[0], a.strides[2], a.strides[1]}};
  return transposed.is_contiguous();
}

const char* op_name(Op op) {
  switch (op) {
    case Op::fill: return "fill";
    case Op::copy: return "copy";
    case Op::unary: return "unary";
    case Op::unary_backward: return "unary_backward";
    case Op::binary: return "binary";
    case Op::reduce: return "reduce";
    case Op::matmul: return "matmul";
    case Op::conv_forward: return "conv_forward";
    case Op::conv_backward_data: return "conv_backward_data";
    case Op::conv_backward_weight: return "conv_backward_weight";
    case Op::max_pool_forward: return "max_pool_forward";
    case Op::max_pool_backward: return "max_pool_backward";
    case Op::avg_pool_forward: return "avg_pool_forward";
    case Op::avg_pool_backward: return "avg_pool_backward";
    case Op::adaptive_avg_pool_forward: return "adaptive_avg_pool_forward";
    case Op::adaptive_avg_pool_backward: return "adaptive_avg_pool_backward";
    case Op::batch_norm_forward: return "batch_norm_forward";
    case Op::batch_norm_backward: return "batch_norm_backward";
    case Op::softmax_forward: return "softmax_forward";
    case Op::softmax_backward: return "softmax_backward";
    case Op::upsample_forward: return "upsample_forward";
    case Op::upsample_backward: return "upsample_backward";
    case Op::nll_loss_forward: return "nll_loss_forward";
    case Op::nll_loss_backward: return "nll_loss_backward";
    case Op::attention_forward: return "attention_forward";
    case Op::attention_backward: return "attention_backward";
    case Op::relu_pair_forward: return "relu_pair_forward";
    case Op::relu_pair_backward: return "relu_pair_backward";
    case Op::gate_multiply_forward: return "gate_multiply_forward";
    case Op::gate_multiply_backward: return "gate_multiply_backward";
    case Op::mean_max_pool_forward: return "mean_max_pool_forward";
    case Op::mean_max_pool_backward: return "mean_max_pool_backward";
  }
  return "unknown";
}

const char* unary_op_name(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg: return "neg";
    case UnaryOp::exp: return "exp";
    case UnaryOp::log: return "log";
    case UnaryOp::sqrt: return "sqrt";
    case UnaryOp::abs: return "abs";
    case UnaryOp::relu: return "relu";
    case UnaryOp::leaky_relu: return "leaky_relu";
    case UnaryOp::sigmoid: return "sigmoid";
    case UnaryOp::tanh: return "tanh";
    case UnaryOp::clamp: return "clamp";
    case UnaryOp::pow: return "pow";
  }
  return "unknown";
}

const char* binary_op_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::add: return "add";
    case BinaryOp::sub: return "sub";
    case BinaryOp::mul: return "mul";
    case BinaryOp::div: return "div";
    case BinaryOp::pow: return "pow";
    case BinaryOp::maximum: return "maximum";
    case BinaryOp::minimum: return "minimum";
    case BinaryOp::eq: return "eq";
    case BinaryOp::gt: return "gt";
    case BinaryOp::lt: return "lt";
    case BinaryOp::ge: return "ge";
    case BinaryOp::le: return "le";
  }
  return "unknown";
}

const char* reduce_op_name(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return "sum";
    case ReduceOp::mean: return "mean";
    case ReduceOp::max: return "max";
    case ReduceOp::min: return "min";
  }
  return "unknown";
}

// Only the CPU backends implement concatenation attention; the others refuse here, and their
// supports() says so first, so a layer can choose its materialized form instead.
void Backend::relu_pair_forward(const KernelArg&, const KernelArg&, const KernelArg&, const KernelArg&, double) {
  fail("backend '{}' has no relu_pair_forward kernel (Non-local concatenation without its map); run the block on a "
       "CPU backend or set attention_impl: materialized", name());
}

void Backend::relu_pair_backward(const KernelArg&, const KernelArg&, const KernelArg&, const KernelArg&,
                                 const KernelArg&, const KernelArg&, const KernelArg&, double) {
  fail("backend '{}' has no relu_pair_backward kernel (Non-local concatenation without its map); run the block on a "
       "CPU backend or set attention_impl: materialized", name());
}

// The gating layers' fused kernels exist on the CPU backends; elsewhere supports() answers false
// and the layers compose the same result, so reaching these means a caller skipped that check.
void Backend::gate_multiply_forward(const KernelArg&, const KernelArg&, const KernelArg&) {
  fail("backend '{}' has no gate_multiply_forward kernel; check kernel_available(Op::gate_multiply_forward, ...) "
       "and compose x * gate instead", name());
}

void Backend::gate_multiply_backward(const KernelArg&, const KernelArg&, const KernelArg&, const KernelArg&,
                                     const KernelArg&) {
  fail("backend '{}' has no gate_multiply_backward kernel; check kernel_available(Op::gate_multiply_backward, ...) "
       "and compose x * gate instead", name());
}

void Backend::mean_max_pool_forward(const KernelArg&, const KernelArg&, const KernelArg&) {
  fail("backend '{}' has no mean_max_pool_forward kernel; check kernel_available(Op::mean_max_pool_forward, ...) "
       "and compose mean and max reductions instead", name());
}

void Backend::mean_max_pool_backward(const KernelArg&, const KernelArg&, const KernelArg&, const KernelArg&,
                                     const KernelArg&) {
  fail("backend '{}' has no mean_max_pool_backward kernel; check kernel_available(Op::mean_max_pool_backward, ...) "
       "and compose mean and max reductions instead", name());
}

}  // namespace gaze
