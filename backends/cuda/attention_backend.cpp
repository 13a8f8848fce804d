// CudaBackend: fused attention on the kernels of attention.cu.
#include <algorithm>

#include "backends/cuda/context.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/kernels.h"
#include "backends/reference/attention_dims.h"

namespace gaze {
using namespace cuda;

namespace {

AttentionParams attention_params(const reference::AttentionDims& d, double scale) {
  return AttentionParams{d.batch, d.queries, d.keys, d.key_channels, d.value_channels, scale};
}

}  // namespace

void CudaBackend::attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q, const KernelArg& k,
                                    const KernelArg& v, double scale) {
  auto d = reference::attention_dims("cuda attention_forward", out, lse, q, k, v);
  launch_attention_forward(q.dtype, out.data, lse.data, q.data, k.data, v.data, attention_params(d, scale),
                           current_context().stream());
}

void CudaBackend::attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                                     const KernelArg& grad_out, const KernelArg& q, const KernelArg& k,
                                     const KernelArg& v, const KernelArg& out, const KernelArg& lse, double scale) {
  auto d = reference::attention_backward_dims("cuda attention_backward", grad_q, grad_k, grad_v, grad_out, q, k, v,
                                              out, lse);
  DeviceBuffer delta(static_cast<size_t>(std::max<int64_t>(1, d.batch * d.queries)) * dtype_size(q.dtype));
  launch_attention_backward(q.dtype, grad_q.data, grad_k.data, grad_v.data, delta.data(), grad_out.data, q.data,
                            k.data, v.data, out.data, lse.data, attention_params(d, scale),
                            current_context().stream());
}

}  // namespace gaze
