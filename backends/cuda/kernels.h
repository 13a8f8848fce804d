// Launchers of the CUDA backend's own kernels (elementwise.cu, nn.cu). Each queues its kernel on
// `stream` and checks the launch; arguments are device pointers and the plain parameter structs
// of plan/kernel_params.h. Shapes are already validated by the caller (the backend's .cpp files).
// f32 and f64 everywhere (i64 where the op takes it), chosen by the DType argument.
#pragma once
#include <cuda_runtime_api.h>

#include "framework/backend.h"
#include "backends/cuda/plan/kernel_params.h"

namespace gaze::cuda {

// ---- elementwise.cu: operand strides in ElementwiseParams order (out first) -------------------
void launch_fill(DType dtype, void* out, const ElementwiseParams& p, double value, cudaStream_t stream);
void launch_copy(DType out_dtype, DType in_dtype, void* out, const void* in, const ElementwiseParams& p,
                 cudaStream_t stream);
void launch_unary(UnaryOp op, DType dtype, void* out, const void* x, const ElementwiseParams& p, UnaryParams params,
                  cudaStream_t stream);
// operands: grad_x, grad_y, x, y
void launch_unary_backward(UnaryOp op, DType dtype, void* grad_x, const void* grad_y, const void* x, const void* y,
                           const ElementwiseParams& p, UnaryParams params, cudaStream_t stream);
void launch_binary(BinaryOp op, DType dtype, void* out, const void* a, const void* b, const ElementwiseParams& p,
                   cudaStream_t stream);
// Accumulates in double for f32 and f64 (as the reference does); i64 sums exactly.
void launch_reduce(ReduceOp op, DType dtype, void* out, const void* in, const ReduceParams& p, cudaStream_t stream);
// Two passes for few outputs over many elements: `partials` holds p.outputs * chunks doubles.
void launch_reduce_chunked(ReduceOp op, DType dtype, void* out, const void* in, const ReduceParams& p, int64_t chunks,
                           double* partials, cudaStream_t stream);

// ---- nn.cu --------------------------------------------------------------------------------
void launch_max_pool_forward(DType dtype, void* out, int64_t* indices, const void* x, const Spatial3Params& s,
                             const PoolWindowParams& w, cudaStream_t stream);
void launch_max_pool_backward(DType dtype, void* grad_x, const void* grad_out, const int64_t* indices,
                              const Spatial3Params& s, cudaStream_t stream);
void launch_avg_pool_forward(DType dtype, void* out, const void* x, const Spatial3Params& s, const PoolWindowParams& w,
                             cudaStream_t stream);
void launch_avg_pool_backward(DType dtype, void* grad_x, const void* grad_out, const Spatial3Params& s,
                              const PoolWindowParams& w, cudaStream_t stream);
void launch_adaptive_avg_pool_forward(DType dtype, void* out, const void* x, const Spatial3Params& s,
                                      cudaStream_t stream);
void launch_adaptive_avg_pool_backward(DType dtype, void* grad_x, const void* grad_out, const Spatial3Params& s,
                                       cudaStream_t stream);
// x [N, C, inner] as AxisParams {outer = N, size = C, inner}; weight / bias may be null.
void launch_batch_norm_forward(DType dtype, void* out, void* save_mean, void* save_invstd, const void* x,
                               const void* weight, const void* bias, double eps, const AxisParams& l,
                               cudaStream_t stream);
// grad_x, grad_weight, grad_bias and weight may be null.
void launch_batch_norm_backward(DType dtype, void* grad_x, void* grad_weight, void* grad_bias, const void* grad_out,
                                const void* x, const void* weight, const void* save_mean, const void* save_invstd,
                                const AxisParams& l, cudaStream_t stream);
void launch_upsample_forward(DType dtype, bool linear, bool align_corners, void* out, const void* x,
                             const Spatial3Params& s, cudaStream_t stream);
void launch_upsample_backward(DType dtype, bool linear, bool align_corners, void* grad_x, const void* grad_out,
                              const Spatial3Params& s, cudaStream_t stream);
// A target outside [0, classes) that is not ignore_index is recorded in *bad_row (device memory,
// -1 when all are valid) for the caller to report.
void launch_nll_loss_forward(DType dtype, void* loss, void* sample_weight, const void* logp, const int64_t* target,
                             const void* weight, int64_t rows, int64_t classes, int64_t ignore_index,
                             int64_t* bad_row, cudaStream_t stream);
// Softmax / log-softmax over the last dim of a contiguous [rows, size] array (inner size 1).
void launch_softmax_rows_forward(DType dtype, void* out, const void* x, int64_t rows, int64_t size, bool log,
                                 cudaStream_t stream);
void launch_softmax_rows_backward(DType dtype, void* grad_x, const void* grad_y, const void* y, int64_t rows, int64_t size,
                                  bool log, cudaStream_t stream);
void launch_nll_loss_backward(DType dtype, void* grad_logp, const void* grad_loss, const int64_t* target,
                              const void* weight, int64_t rows, int64_t classes, int64_t ignore_index,
                              cudaStream_t stream);

// Direct convolution (any geometry, accumulating in double): where cuDNN reports no algorithm.
void launch_conv_direct_forward(DType dtype, void* out, const void* x, const void* weight, const Conv3Params& c,
                                cudaStream_t stream);
void launch_conv_direct_backward_data(DType dtype, void* grad_x, const void* grad_out, const void* weight,
                                      const Conv3Params& c, cudaStream_t stream);
void launch_conv_direct_backward_weight(DType dtype, void* grad_weight, const void* grad_out, const void* x,
                                        const Conv3Params& c, cudaStream_t stream);

// ---- attention.cu: fused attention (Backend::attention_forward / _backward) ----------------
void launch_attention_forward(DType dtype, void* out, void* lse, const void* q, const void* k, const void* v,
                              const AttentionParams& p, cudaStream_t stream);
// `delta` is scratch of batch · queries elements of `dtype`.
void launch_attention_backward(DType dtype, void* grad_q, void* grad_k, void* grad_v, void* delta,
                               const void* grad_out, const void* q, const void* k, const void* v, const void* out,
                               const void* lse, const AttentionParams& p, cudaStream_t stream);

}  // namespace gaze::cuda
