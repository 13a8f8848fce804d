// The onednn backend: oneDNN primitives (f32) for convolution, pooling (adaptive average pooling
// where its windows are uniform), eltwise, softmax, matmul, binary and reduction,
// cached per shape, and dnnl_sgemm for the fused attention's tiles (the openblas backend's
// kernel otherwise); everything else (and f64) comes from the openblas backend it extends. Each
// override first checks that a primitive computes exactly what the reference does for these
// arguments and otherwise calls the parent's kernel.
#pragma once
#include "backends/openblas/openblas_backend.h"

namespace gaze {

class OnednnBackend : public OpenblasBackend {
 public:
  std::string name() const override { return "onednn"; }

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
  void conv_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_out,
                     const KernelArg& x, const KernelArg& weight, const ConvParams& p) override;

  void max_pool_forward(const KernelArg& out, const KernelArg& indices, const KernelArg& x,
                        const PoolParams& p) override;
  void max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                         const KernelArg& indices) override;
  void avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) override;
  void avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                         const PoolParams& p) override;
  void adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) override;
  void adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) override;

  void softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) override;
  void softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& y,
                        int64_t dim, bool log) override;

  void attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q, const KernelArg& k,
                         const KernelArg& v, double scale) override;
  void attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                          const KernelArg& grad_out, const KernelArg& q, const KernelArg& k, const KernelArg& v,
                          const KernelArg& out, const KernelArg& lse, double scale) override;
  bool attention_takes_channel_major() const override { return true; }
};

}  // namespace gaze
