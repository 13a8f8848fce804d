// The reference backend: plain single-threaded loops in f32 and f64 (accumulating in double),
// obviously correct, the oracle every other backend is tested against.
#pragma once
#include "framework/backend.h"

namespace gaze {

class ReferenceBackend : public Backend {
 public:
  std::string name() const override { return "reference"; }
  bool supports(Op op, DType dtype) const override;

  void fill(const KernelArg& out, double value) override;
  void copy(const KernelArg& out, const KernelArg& in) override;
  void unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) override;
  void unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y,
                      const KernelArg& x, const KernelArg& y, const UnaryParams& p) override;
  void binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) override;
  void reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) override;
  void matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) override;

  void conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight,
                    const ConvParams& p) override;
  void conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out,
                          const KernelArg& weight, const ConvParams& p) override;
  void conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out,
                            const KernelArg& x, const ConvParams& p) override;

  void max_pool_forward(const KernelArg& out, const KernelArg& indices, const KernelArg& x,
                        const PoolParams& p) override;
  void max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                         const KernelArg& indices) override;
  void avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) override;
  void avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                         const PoolParams& p) override;
  void adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) override;
  void adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) override;

  void batch_norm_forward(const KernelArg& out, const KernelArg& save_mean,
                          const KernelArg& save_invstd, const KernelArg& x,
                          const KernelArg& weight, const KernelArg& bias, double eps) override;
  void batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight,
                           const KernelArg& grad_bias, const KernelArg& grad_out,
                           const KernelArg& x, const KernelArg& weight,
                           const KernelArg& save_mean, const KernelArg& save_invstd) override;

  void softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) override;
  void softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& y,
                        int64_t dim, bool log) override;

  void upsample_forward(UpsampleMode mode, bool align_corners, const KernelArg& out,
                        const KernelArg& x) override;
  void upsample_backward(UpsampleMode mode, bool align_corners, const KernelArg& grad_x,
                         const KernelArg& grad_out) override;

  void nll_loss_forward(const KernelArg& loss, const KernelArg& sample_weight,
                        const KernelArg& logp, const KernelArg& target, const KernelArg& weight,
                        int64_t ignore_index) override;
  void nll_loss_backward(const KernelArg& grad_logp, const KernelArg& grad_loss,
                         const KernelArg& target, const KernelArg& weight,
                         int64_t ignore_index) override;

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

}  // namespace gaze
