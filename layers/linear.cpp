#include "layers/linear.h"

#include "autograd/linalg.h"
#include "framework/error.h"
#include "layers/init.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias) : in_(in_features), out_(out_features) {
  if (in_ < 1 || out_ < 1) fail("Linear: in_features and out_features must be positive (got {} and {})", in_, out_);
  weight = register_parameter("weight", init::default_uniform({out_, in_}, in_));
  if (with_bias) bias = register_parameter("bias", init::default_uniform({out_}, in_));
}

Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

std::string Linear::extra_repr() const { return fmt::format("{}, {}{}", in_, out_, bias.defined() ? "" : ", bias=false"); }

std::string Linear::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return graph.linear(single_input(inputs), weight, bias);
}

}  // namespace gaze
