#include "layers/batch_norm.h"

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

BatchNorm::BatchNorm(BatchNormOptions o) : options_(o) {
  if (o.channels < 1) fail("BatchNorm: channels must be positive, got {}", o.channels);
  if (o.affine) {
    weight = register_parameter("weight", full({o.channels}, o.weight_init));
    bias = register_parameter("bias", zeros({o.channels}));
  }
  running_mean = register_buffer("running_mean", zeros({o.channels}));
  running_var = register_buffer("running_var", ones({o.channels}));
}

Tensor BatchNorm::forward(const Tensor& x) {
  if (x.dim() < 2 || x.shape()[1] != options_.channels)
    fail("BatchNorm({}): expected input [N, {}, *], got shape {}", options_.channels, options_.channels, shape_str(x.shape()));
  if (sum_over_ranks_ && is_training()) return synchronized_forward(x);
  return batch_norm(x, weight, bias, running_mean, running_var, is_training(), options_.momentum, options_.eps);
}

// The statistics from per-channel sums and sums of squares summed over the ranks; the
// normalization composed of differentiable ops, so the backward (through the cross-rank sums)
// gives each rank its share of the global batch's gradient. The variance as E[x^2] - mean^2 differs
// from the single-process kernel's two-pass one by rounding only.
Tensor BatchNorm::synchronized_forward(const Tensor& x) {
  const int64_t channels = options_.channels;
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  Shape channel_shape(static_cast<size_t>(x.dim()), 1);
  channel_shape[1] = channels;
  Tensor count = full({1}, static_cast<double>(x.numel() / channels), x.dtype(), x.device());
  const double n = sum_over_ranks_(count).item();
  if (n <= 1) fail("BatchNorm({}): expected more than 1 value per channel over the ranks when training, got {}", channels, n);
  Tensor mean = sum_over_ranks_(sum(x, dims)) / n;
  Tensor var = sum_over_ranks_(sum(x * x, dims)) / n - mean * mean;
  Tensor y = (x - reshape(mean, channel_shape)) * reshape(pow(var + options_.eps, -0.5), channel_shape);
  if (weight.defined()) y = y * reshape(weight, channel_shape);
  if (bias.defined()) y = y + reshape(bias, channel_shape);
  {
    NoGradGuard no_grad;
    const double m = options_.momentum;
    Tensor new_mean = running_mean.detach() * (1.0 - m) + mean.detach() * m;
    Tensor new_var = running_var.detach() * (1.0 - m) + var.detach() * (n / (n - 1.0)) * m;
    Tensor(running_mean).copy_(new_mean);
    Tensor(running_var).copy_(new_var);
  }
  return y;
}

std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}{}", options_.channels, options_.eps, options_.momentum, options_.affine ? "" : ", affine=false");
}

// Evaluation mode: the running statistics (folded into the previous Conv with --fold-batch-norm).
std::string BatchNorm::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return graph.batch_norm(single_input(inputs), weight, bias, running_mean, running_var, options_.eps);
}

}  // namespace gaze
