// The openblas backend: GEMM and batched GEMM through CBLAS (transposes without copies where the
// strides allow), convolutions as im2col/col2im + GEMM, and OpenMP-parallel, vectorized
// elementwise ops, reductions, softmax and batch norm. What it does not accelerate (pooling,
// upsampling, the NLL gather) and the layouts its fast paths do not cover (e.g. an elementwise
// op on a view whose inner dim is not unit-stride) run the reference loops it inherits;
// docs/backends.md lists which is which.
#pragma once
#include "backends/reference/reference_backend.h"

namespace gaze {

class OpenblasBackend : public ReferenceBackend {
 public:
  std::string name() const override { return "openblas"; }

  void fill(const KernelArg& out, double value) override;
  void copy(const KernelArg& out, const KernelArg& in) override;
  void unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) override;
  void unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& x,
                      const KernelArg& y, const UnaryParams& p) override;
  void binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) override;
  void reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) override;
  void matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) override;

  void conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight, const ConvParams& p) override;
  void conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& weight,
                          const ConvParams& p) override;
  void conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out, const KernelArg& x,
                            const ConvParams& p) override;

  void batch_norm_forward(const KernelArg& out, const KernelArg& save_mean, const KernelArg& save_invstd,
                          const KernelArg& x, const KernelArg& weight, const KernelArg& bias, double eps) override;
  void batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_bias,
                           const KernelArg& grad_out, const KernelArg& x, const KernelArg& weight,
                           const KernelArg& save_mean, const KernelArg& save_invstd) override;
  void softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) override;
  void softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& y, int64_t dim,
                        bool log) override;

  void attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q, const KernelArg& k,
                         const KernelArg& v, double scale) override;
  void attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                          const KernelArg& grad_out, const KernelArg& q, const KernelArg& k, const KernelArg& v,
                          const KernelArg& out, const KernelArg& lse, double scale) override;
  bool attention_takes_channel_major() const override { return true; }

  void relu_pair_forward(const KernelArg& out, const KernelArg& a, const KernelArg& k, const KernelArg& v,
                         double scale) override;
  void relu_pair_backward(const KernelArg& grad_a, const KernelArg& grad_k, const KernelArg& grad_v,
                          const KernelArg& grad_out, const KernelArg& a, const KernelArg& k, const KernelArg& v,
                          double scale) override;

  void gate_multiply_forward(const KernelArg& out, const KernelArg& x, const KernelArg& gate) override;
  void gate_multiply_backward(const KernelArg& grad_x, const KernelArg& grad_gate, const KernelArg& grad_out,
                              const KernelArg& x, const KernelArg& gate) override;
  void mean_max_pool_forward(const KernelArg& mean, const KernelArg& max, const KernelArg& x) override;
  void mean_max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_mean, const KernelArg& grad_max,
                              const KernelArg& x, const KernelArg& max) override;
};

namespace openblas {
// Rows and their length when in and out are contiguous f32 and the reduced dims are the last
// ones (a global pooling's [N, C, H, W] -> [N, C, 1, 1], or everything -> one value): the layout
// whose sums and means OpenblasBackend::reduce runs in its own row loop (the onednn backend
// hands them to it).
bool trailing_reduction(const KernelArg& out, const KernelArg& in, int64_t& rows, int64_t& length);
}  // namespace openblas

}  // namespace gaze
