// The kernel interface every backend implements. A backend sees plain strided arrays
// (KernelArg), never Tensor, autograd or layers: it computes, it does not decide.
//
// Conventions:
//  * `out` arguments are allocated by the caller with the right shape and dtype; kernels only
//    write into them.
//  * Kernels marked [strided] accept any strides, including 0 (broadcast); all others require
//    contiguous arguments (the autograd ops make them so).
//  * Backward kernels write the gradient of the inputs from the gradient of the output.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/dtype.h"
#include "framework/shape.h"

namespace gaze {

// A view of memory handed to a kernel: data already points at the first element.
struct KernelArg {
  void* data = nullptr;
  DType dtype = DType::f32;
  Shape shape;
  Shape strides;

  template <typename T>
  T* ptr() const { return static_cast<T*>(data); }
  int64_t numel() const { return gaze::numel(shape); }
  int64_t dim() const { return static_cast<int64_t>(shape.size()); }
  bool is_contiguous() const;
};

// Whether a [B, N, C] argument is the transpose of a contiguous [B, C, N] array in its last two
// dims (strides [N·C, 1, N]) and not contiguous itself: "channel-major", the layout of a
// flattened [B, C, *spatial] feature map seen as rows of positions.
bool is_channel_major(const KernelArg& a);

// Every kernel, by name: what supports() answers for and what errors name.
enum class Op {
  fill, copy, unary, unary_backward, binary, reduce, matmul,
  conv_forward, conv_backward_data, conv_backward_weight,
  max_pool_forward, max_pool_backward, avg_pool_forward, avg_pool_backward,
  adaptive_avg_pool_forward, adaptive_avg_pool_backward,
  batch_norm_forward, batch_norm_backward,
  softmax_forward, softmax_backward,
  upsample_forward, upsample_backward,
  nll_loss_forward, nll_loss_backward,
  attention_forward, attention_backward,
  relu_pair_forward, relu_pair_backward,
  gate_multiply_forward, gate_multiply_backward,
  mean_max_pool_forward, mean_max_pool_backward,
};
const char* op_name(Op op);

enum class UnaryOp { neg, exp, log, sqrt, abs, relu, leaky_relu, sigmoid, tanh, clamp, pow };
const char* unary_op_name(UnaryOp op);
// alpha: leaky_relu's slope, clamp's lower bound, pow's exponent; beta: clamp's upper bound.
struct UnaryParams {
  double alpha = 0.0;
  double beta = 0.0;
};

// Comparisons write 1 or 0 in the output's dtype.
enum class BinaryOp { add, sub, mul, div, pow, maximum, minimum, eq, gt, lt, ge, le };
const char* binary_op_name(BinaryOp op);

enum class ReduceOp { sum, mean, max, min };
const char* reduce_op_name(ReduceOp op);

// Convolution over 1, 2 or 3 spatial dims; the vectors have one entry per spatial dim.
struct ConvParams {
  std::vector<int64_t> stride, padding, dilation;
  int64_t groups = 1;
};

// Pooling over 1, 2 or 3 spatial dims. The output size is computed by the caller.
struct PoolParams {
  std::vector<int64_t> kernel, stride, padding, dilation;
  bool count_include_pad = true;  // average pooling: divide by the full window, padding included
};

enum class UpsampleMode { nearest, linear };  // linear: linear/bilinear/trilinear by rank

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual bool supports(Op op, DType dtype) const = 0;

  // out = value. [strided]
  virtual void fill(const KernelArg& out, double value) = 0;
  // out = in, converting dtype; shapes equal. [strided]
  virtual void copy(const KernelArg& out, const KernelArg& in) = 0;

  // out = f(x); shapes equal. [strided]
  virtual void unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) = 0;
  // grad_x = grad_y * f'(x), given x and y = f(x); all shapes equal. [strided]
  virtual void unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y,
                              const KernelArg& x, const KernelArg& y, const UnaryParams& p) = 0;
  // out = a (op) b; a and b already broadcast to out's shape (stride 0). [strided]
  virtual void binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) = 0;
  // out has in's rank; every dim where out has size 1 and in does not is reduced. [strided]
  virtual void reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) = 0;

  // out[b] = a[b] @ b[b]: out [B,M,N], a [B,M,K], b [B,K,N]; batch strides may be 0. [strided]
  virtual void matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) = 0;

  // x [N,C,*], weight [O,C/groups,*k], out [N,O,*]; no bias (the op adds it).
  virtual void conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight,
                            const ConvParams& p) = 0;
  virtual void conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out,
                                  const KernelArg& weight, const ConvParams& p) = 0;
  virtual void conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out,
                                    const KernelArg& x, const ConvParams& p) = 0;
  // Both gradients in one call, as the two calls above (the default makes them): a backend whose
  // two kernels share work overrides it (oneDNN moves grad_out into its blocked layout once
  // instead of twice). Not a kernel of its own: supports() answers for the two above.
  virtual void conv_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_out,
                             const KernelArg& x, const KernelArg& weight, const ConvParams& p);

  // indices (i64, out's shape) hold the flat spatial position of each maximum within its plane.
  virtual void max_pool_forward(const KernelArg& out, const KernelArg& indices, const KernelArg& x,
                                const PoolParams& p) = 0;
  virtual void max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                 const KernelArg& indices) = 0;
  virtual void avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) = 0;
  virtual void avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                 const PoolParams& p) = 0;
  // PyTorch's adaptive windows: start = floor(i*in/out), end = ceil((i+1)*in/out).
  virtual void adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) = 0;
  virtual void adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) = 0;

  // Training-mode batch norm over all dims but 1. x [N,C,*]; weight, bias, save_mean,
  // save_invstd [C]. save_* receive the batch mean and 1/sqrt(biased var + eps) for backward.
  virtual void batch_norm_forward(const KernelArg& out, const KernelArg& save_mean,
                                  const KernelArg& save_invstd, const KernelArg& x,
                                  const KernelArg& weight, const KernelArg& bias, double eps) = 0;
  virtual void batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight,
                                   const KernelArg& grad_bias, const KernelArg& grad_out,
                                   const KernelArg& x, const KernelArg& weight,
                                   const KernelArg& save_mean, const KernelArg& save_invstd) = 0;

  // Softmax (or log-softmax when log) along dim.
  virtual void softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) = 0;
  virtual void softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y,
                                const KernelArg& y, int64_t dim, bool log) = 0;

  // x [N,C,*in] -> out [N,C,*out]. nearest: src = floor(dst * in / out). linear: half-pixel
  // centres, or corners aligned when align_corners.
  virtual void upsample_forward(UpsampleMode mode, bool align_corners, const KernelArg& out,
                                const KernelArg& x) = 0;
  virtual void upsample_backward(UpsampleMode mode, bool align_corners, const KernelArg& grad_x,
                                 const KernelArg& grad_out) = 0;

  // Per-sample negative log-likelihood: logp [M,C], target [M] (i64), weight [C] or empty
  // (data == nullptr). loss[m] = -w[t]·logp[m,t] and sample_weight[m] = w[t], both 0 where
  // t == ignore_index. A target outside [0, C) that is not ignore_index is an error.
  virtual void nll_loss_forward(const KernelArg& loss, const KernelArg& sample_weight,
                                const KernelArg& logp, const KernelArg& target,
                                const KernelArg& weight, int64_t ignore_index) = 0;
  // grad_logp [M,C] = -w[t]·grad_loss[m] at t, 0 elsewhere.
  virtual void nll_loss_backward(const KernelArg& grad_logp, const KernelArg& grad_loss,
                                 const KernelArg& target, const KernelArg& weight,
                                 int64_t ignore_index) = 0;

  // Fused attention, out[b] = softmax(scale · q[b]·k[b]ᵀ) · v[b] row by row, without storing the
  // [Nq, Nk] map (FlashAttention-2: tiles of queries × keys with a running max and sum).
  // q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv], out [B,Nq,Cv]; lse [B,Nq] receives each row's
  // log Σ_j exp(scale · q_i·k_j), from which backward recomputes the map one tile at a time.
  // Nk ≥ 1. lse is contiguous; q, k, v and out (and, in the backward, their gradients) are
  // contiguous, or each may be channel-major (is_channel_major) where
  // attention_takes_channel_major() says so: the GEMMs then read and write the layers' [B, C, N]
  // feature maps in place, with no transposing copies.
  virtual void attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                                 const KernelArg& k, const KernelArg& v, double scale) = 0;
  // grad_q, grad_k, grad_v (shapes of q, k, v) from grad_out and the forward's q, k, v, out, lse.
  virtual void attention_backward(const KernelArg& grad_q, const KernelArg& grad_k,
                                  const KernelArg& grad_v, const KernelArg& grad_out,
                                  const KernelArg& q, const KernelArg& k, const KernelArg& v,
                                  const KernelArg& out, const KernelArg& lse, double scale) = 0;
  // Whether attention_forward / attention_backward accept channel-major operands (see above).
  virtual bool attention_takes_channel_major() const { return false; }

  // Concatenation attention (Non-local's concatenation mode) without the [Nq, Nk] map:
  // out[b,i] = scale · Σ_j ReLU(a[b,i] + k[b,j]) · v[b,j]. a [B,Nq], k [B,Nk], v [B,Nk,C],
  // out [B,Nq,C]; all contiguous. A backend without these kernels keeps the defaults, which
  // refuse naming it (and supports() must answer false for them).
  virtual void relu_pair_forward(const KernelArg& out, const KernelArg& a, const KernelArg& k, const KernelArg& v,
                                 double scale);
  // grad_a, grad_k, grad_v (shapes of a, k, v) from grad_out; ReLU'(0) = 0.
  virtual void relu_pair_backward(const KernelArg& grad_a, const KernelArg& grad_k, const KernelArg& grad_v,
                                  const KernelArg& grad_out, const KernelArg& a, const KernelArg& k,
                                  const KernelArg& v, double scale);

  // The gating layers' (SE, CBAM, BAM) fused passes. x is [N,C,L] (L: the positions) and a gate
  // or a pooled descriptor is [N,C,1] (per channel, over the positions) or [N,1,L] (per
  // position, over the channels); which one the shapes say. A backend without these kernels
  // keeps the defaults, which refuse naming it (and supports() must answer false), and the
  // layers compose the same result from elementwise ops and reductions.
  //
  // out = x · gate, the gate broadcast over the other dim. All contiguous.
  virtual void gate_multiply_forward(const KernelArg& out, const KernelArg& x, const KernelArg& gate);
  // grad_x = grad_out · gate and grad_gate = Σ grad_out · x over the broadcast dim, in one pass
  // over grad_out and x. grad_out may be strided (e.g. all strides 0: the gradient of a sum);
  // grad_gate may be a view; the rest are contiguous.
  virtual void gate_multiply_backward(const KernelArg& grad_x, const KernelArg& grad_gate, const KernelArg& grad_out,
                                      const KernelArg& x, const KernelArg& gate);
  // The mean and the max of x over the reduced dim in one pass; mean and max [N,C,1] or [N,1,L]
  // may be strided views (e.g. two channels of one tensor), x is contiguous.
  virtual void mean_max_pool_forward(const KernelArg& mean, const KernelArg& max, const KernelArg& x);
  // grad_x = grad_mean / count + grad_max at each position equal to the max, shared evenly among
  // ties (as the max reduction's backward); grad_mean, grad_max and max may be strided views,
  // grad_x and x are contiguous.
  virtual void mean_max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_mean, const KernelArg& grad_max,
                                      const KernelArg& x, const KernelArg& max);
};

}  // namespace gaze
