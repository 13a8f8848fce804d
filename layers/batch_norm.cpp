#include "layers/batch_norm.h"

#include "autograd/norm.h"
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
  return batch_norm(x, weight, bias, running_mean, running_var, is_training(), options_.momentum, options_.eps);
}

std::string BatchNorm::extra_repr() const {
  return fmt::format("{}, eps={}, momentum={}{}", options_.channels, options_.eps, options_.momentum, options_.affine ? "" : ", affine=false");
}

// Evaluation mode: the running statistics (folded into the previous Conv with --fold-batch-norm).
std::string BatchNorm::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return graph.batch_norm(single_input(inputs), weight, bias, running_mean, running_var, options_.eps);
}

}  // namespace gaze
