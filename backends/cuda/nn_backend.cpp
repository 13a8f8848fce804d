// CudaBackend: pooling, batch norm, upsampling, NLL and softmax along a last dim on the kernels of
// nn.cu; softmax and log-softmax along other dims on cuDNN (CHANNEL mode over [outer, size, inner, 1]).
#include <cudnn.h>

#include "backends/cuda/check.h"
#include "backends/cuda/context.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_memory.h"
#include "backends/cuda/kernels.h"
#include "backends/cuda/plan/plan.h"
#include "framework/error.h"

namespace gaze {
using namespace cuda;

namespace {

void check_floating(const char* op, std::initializer_list<const KernelArg*> args) {
  DType first = (*args.begin())->dtype;
  for (const KernelArg* a : args)
    if (a->data != nullptr && (a->dtype != first || !is_floating(a->dtype)))
      fail("cuda {}: operands must share one floating dtype (got {} and {})", op, dtype_name(first), dtype_name(a->dtype));
}

void check_contiguous(const char* op, std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->data != nullptr && !a->is_contiguous())
      fail("cuda {}: arrays must be contiguous (shape {})", op, shape_str(a->shape));
}

AxisParams channel_params(const KernelArg& x, const char* op) {
  if (x.dim() < 2) fail("cuda {}: expected [N,C,*], got shape {}", op, shape_str(x.shape));
  AxisParams l{x.shape[0], x.shape[1], 1};
  for (int64_t d = 2; d < x.dim(); ++d) l.inner *= x.shape[d];
  return l;
}

// A 4-d NCHW descriptor for softmax, destroyed at scope end.
struct SoftmaxDescriptor {
  cudnnTensorDescriptor_t desc = nullptr;
  SoftmaxDescriptor(const KernelArg& x, int64_t dim) {
    std::vector<int> d = softmax_dims(x, dim);
    GAZE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc));
    GAZE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(desc, CUDNN_TENSOR_NCHW, x.dtype == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT,
                                                d[0], d[1], d[2], d[3]));
  }
  ~SoftmaxDescriptor() {
    if (desc) cudnnDestroyTensorDescriptor(desc);
  }
  SoftmaxDescriptor(const SoftmaxDescriptor&) = delete;
  SoftmaxDescriptor& operator=(const SoftmaxDescriptor&) = delete;
};

}  // namespace

// ---- pooling ----------------------------------------------------------------------------------

void CudaBackend::max_pool_forward(const KernelArg& out, const KernelArg& indices, const KernelArg& x, const PoolParams& p) {
  check_floating("max_pool_forward", {&out, &x});
  if (indices.dtype != DType::i64 || indices.shape != out.shape)
    fail("cuda max_pool_forward: indices must be i64 of the output's shape {}", shape_str(out.shape));
  launch_max_pool_forward(x.dtype, out.data, indices.ptr<int64_t>(), x.data, spatial3_params(x, out, "max_pool_forward"),
                          pool_window_params(p), current_stream());
}

void CudaBackend::max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& indices) {
  check_floating("max_pool_backward", {&grad_x, &grad_out});
  if (indices.dtype != DType::i64 || indices.shape != grad_out.shape)
    fail("cuda max_pool_backward: indices must be i64 of grad_out's shape {}", shape_str(grad_out.shape));
  launch_max_pool_backward(grad_x.dtype, grad_x.data, grad_out.data, indices.ptr<int64_t>(),
                           spatial3_params(grad_x, grad_out, "max_pool_backward"), current_stream());
}

void CudaBackend::avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) {
  check_floating("avg_pool_forward", {&out, &x});
  launch_avg_pool_forward(x.dtype, out.data, x.data, spatial3_params(x, out, "avg_pool_forward"), pool_window_params(p), current_stream());
}

void CudaBackend::avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out, const PoolParams& p) {
  check_floating("avg_pool_backward", {&grad_x, &grad_out});
  launch_avg_pool_backward(grad_x.dtype, grad_x.data, grad_out.data, spatial3_params(grad_x, grad_out, "avg_pool_backward"),
                           pool_window_params(p), current_stream());
}

void CudaBackend::adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) {
  check_floating("adaptive_avg_pool_forward", {&out, &x});
  Spatial3Params s = spatial3_params(x, out, "adaptive_avg_pool_forward");
  for (int d = 0; d < 3; ++d)
    if (s.out[d] == 0 && s.planes > 0) fail("cuda adaptive_avg_pool_forward: output size 0 in shape {}", shape_str(out.shape));
  launch_adaptive_avg_pool_forward(x.dtype, out.data, x.data, s, current_stream());
}

void CudaBackend::adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) {
  check_floating("adaptive_avg_pool_backward", {&grad_x, &grad_out});
  launch_adaptive_avg_pool_backward(grad_x.dtype, grad_x.data, grad_out.data,
                                    spatial3_params(grad_x, grad_out, "adaptive_avg_pool_backward"), current_stream());
}

// ---- batch norm ---------------------------------------------------------------------------------

void CudaBackend::batch_norm_forward(const KernelArg& out, const KernelArg& save_mean, const KernelArg& save_invstd,
                                     const KernelArg& x, const KernelArg& weight, const KernelArg& bias, double eps) {
  check_floating("batch_norm_forward", {&x, &out, &save_mean, &save_invstd, &weight, &bias});
  check_contiguous("batch_norm_forward", {&x, &out, &save_mean, &save_invstd, &weight, &bias});
  launch_batch_norm_forward(x.dtype, out.data, save_mean.data, save_invstd.data, x.data, weight.data, bias.data, eps,
                            channel_params(x, "batch_norm_forward"), current_stream());
}

void CudaBackend::batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_bias,
                                      const KernelArg& grad_out, const KernelArg& x, const KernelArg& weight,
                                      const KernelArg& save_mean, const KernelArg& save_invstd) {
  check_floating("batch_norm_backward", {&x, &grad_x, &grad_weight, &grad_bias, &grad_out, &weight, &save_mean, &save_invstd});
  check_contiguous("batch_norm_backward", {&x, &grad_x, &grad_weight, &grad_bias, &grad_out, &weight, &save_mean, &save_invstd});
  launch_batch_norm_backward(x.dtype, grad_x.data, grad_weight.data, grad_bias.data, grad_out.data, x.data, weight.data,
                             save_mean.data, save_invstd.data, channel_params(x, "batch_norm_backward"), current_stream());
}

// ---- softmax: own row kernels along a last dim, cuDNN otherwise ---------------------------------------------------------------------------

void CudaBackend::softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) {
  check_floating("softmax_forward", {&out, &x});
  check_contiguous("softmax_forward", {&out});
  if (x.numel() == 0) return;
  std::vector<int> dims = softmax_dims(x, dim);  // [outer, size, inner, 1]
  if (dims[2] == 1) return launch_softmax_rows_forward(x.dtype, out.data, x.data, dims[0], dims[1], log, current_stream());
  SoftmaxDescriptor d(x, dim);
  cudnnSoftmaxAlgorithm_t algo = log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE;
  cudnnHandle_t handle = current_context().cudnn();
  if (x.dtype == DType::f64) {
    const double one = 1.0, zero = 0.0;
    GAZE_CUDNN_CHECK(cudnnSoftmaxForward(handle, algo, CUDNN_SOFTMAX_MODE_CHANNEL, &one, d.desc, x.data, &zero, d.desc, out.data));
  } else {
    const float one = 1.0f, zero = 0.0f;
    GAZE_CUDNN_CHECK(cudnnSoftmaxForward(handle, algo, CUDNN_SOFTMAX_MODE_CHANNEL, &one, d.desc, x.data, &zero, d.desc, out.data));
  }
}

void CudaBackend::softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& y, int64_t dim, bool log) {
  check_floating("softmax_backward", {&grad_x, &grad_y, &y});
  check_contiguous("softmax_backward", {&grad_x, &grad_y});
  if (y.numel() == 0) return;
  std::vector<int> dims = softmax_dims(y, dim);  // [outer, size, inner, 1]
  if (dims[2] == 1)
    return launch_softmax_rows_backward(y.dtype, grad_x.data, grad_y.data, y.data, dims[0], dims[1], log, current_stream());
  SoftmaxDescriptor d(y, dim);
  cudnnSoftmaxAlgorithm_t algo = log ? CUDNN_SOFTMAX_LOG : CUDNN_SOFTMAX_ACCURATE;
  cudnnHandle_t handle = current_context().cudnn();
  if (y.dtype == DType::f64) {
    const double one = 1.0, zero = 0.0;
    GAZE_CUDNN_CHECK(cudnnSoftmaxBackward(handle, algo, CUDNN_SOFTMAX_MODE_CHANNEL, &one, d.desc, y.data, d.desc, grad_y.data,
                                          &zero, d.desc, grad_x.data));
  } else {
    const float one = 1.0f, zero = 0.0f;
    GAZE_CUDNN_CHECK(cudnnSoftmaxBackward(handle, algo, CUDNN_SOFTMAX_MODE_CHANNEL, &one, d.desc, y.data, d.desc, grad_y.data,
                                          &zero, d.desc, grad_x.data));
  }
}

// ---- upsampling ---------------------------------------------------------------------------------

void CudaBackend::upsample_forward(UpsampleMode mode, bool align_corners, const KernelArg& out, const KernelArg& x) {
  check_floating("upsample_forward", {&out, &x});
  launch_upsample_forward(x.dtype, mode == UpsampleMode::linear, align_corners, out.data, x.data,
                          spatial3_params(x, out, "upsample_forward"), current_stream());
}

void CudaBackend::upsample_backward(UpsampleMode mode, bool align_corners, const KernelArg& grad_x, const KernelArg& grad_out) {
  check_floating("upsample_backward", {&grad_x, &grad_out});
  launch_upsample_backward(grad_x.dtype, mode == UpsampleMode::linear, align_corners, grad_x.data, grad_out.data,
                           spatial3_params(grad_x, grad_out, "upsample_backward"), current_stream());
}

// ---- NLL --------------------------------------------------------------------------------------

void CudaBackend::nll_loss_forward(const KernelArg& loss, const KernelArg& sample_weight, const KernelArg& logp,
                                   const KernelArg& target, const KernelArg& weight, int64_t ignore_index) {
  check_floating("nll_loss_forward", {&logp, &loss, &sample_weight, &weight});
  check_contiguous("nll_loss_forward", {&logp, &loss, &sample_weight, &weight, &target});
  if (logp.dim() != 2 || target.dtype != DType::i64 || target.numel() != logp.shape[0])
    fail("cuda nll_loss_forward: expected logp [M,C] and an i64 target [M]; got {} and {} ({})", shape_str(logp.shape),
         shape_str(target.shape), dtype_name(target.dtype));
  int64_t rows = logp.shape[0], classes = logp.shape[1];
  DeviceBuffer bad(sizeof(int64_t));
  launch_nll_loss_forward(logp.dtype, loss.data, sample_weight.data, logp.data, target.ptr<int64_t>(), weight.data, rows,
                          classes, ignore_index, static_cast<int64_t*>(bad.data()), current_stream());
  // The one host read of the loss: a bad label must be an error, as on the CPU, not a silent 0.
  int64_t bad_row = -1;
  copy_device_to_host(&bad_row, bad.data(), sizeof(bad_row), current_device());
  if (bad_row >= 0) {
    int64_t t = 0;
    copy_device_to_host(&t, target.ptr<int64_t>() + bad_row, sizeof(t), current_device());
    fail("nll_loss: target {} of sample {} is outside [0, {}) and is not ignore_index", t, bad_row, classes);
  }
}

void CudaBackend::nll_loss_backward(const KernelArg& grad_logp, const KernelArg& grad_loss, const KernelArg& target,
                                    const KernelArg& weight, int64_t ignore_index) {
  check_floating("nll_loss_backward", {&grad_logp, &grad_loss, &weight});
  check_contiguous("nll_loss_backward", {&grad_logp, &grad_loss, &weight, &target});
  if (grad_logp.dim() != 2 || target.dtype != DType::i64 || target.numel() != grad_logp.shape[0])
    fail("cuda nll_loss_backward: expected grad_logp [M,C] and an i64 target [M]; got {} and {}", shape_str(grad_logp.shape),
         shape_str(target.shape));
  launch_nll_loss_backward(grad_logp.dtype, grad_logp.data, grad_loss.data, target.ptr<int64_t>(), weight.data,
                           grad_logp.shape[0], grad_logp.shape[1], ignore_index, current_stream());
}

}  // namespace gaze
