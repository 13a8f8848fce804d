#include "layers/attention/squeeze_excitation.h"

#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/linear.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

SqueezeExcitation::SqueezeExcitation(SqueezeExcitationOptions o) : options_(o) {
  int64_t hidden = hidden_width("SqueezeExcitation", o.channels, o.reduction);
  fc_ = register_module("fc", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                  std::make_shared<Linear>(o.channels, hidden, o.bias), std::make_shared<ReLU>(),
                                  std::make_shared<Linear>(hidden, o.channels, o.bias), std::make_shared<Sigmoid>()}));
}

Tensor SqueezeExcitation::forward(const Tensor& x) {
  check_feature_map("SqueezeExcitation", x, options_.channels);
  Tensor gate = fc_->forward(flatten(global_avg_pool(x), 1));  // [N, C]
  Tensor gate_map = reshape(gate, channel_gate_shape(x));
  remember(gate_map);
  // One pass for x · gate and one for both of its gradients, where the backend has the kernels.
  return gate_kernels_available(x) ? gate_multiply(x, gate_map) : x * gate_map;
}

std::string SqueezeExcitation::extra_repr() const {
  return fmt::format("{}, reduction={}{}", options_.channels, options_.reduction, options_.bias ? "" : ", bias=false");
}

// SELayer (moskomule/senet.pytorch): fc = Sequential(Linear, ReLU, Linear, Sigmoid), the names gaze
// uses too; its Linears have no bias, so only bias = false loads it strictly.
OfficialNames SqueezeExcitation::official_names() const {
  OfficialNames names("moskomule/senet.pytorch se_module.py SELayer");
  names.add("fc.0.weight", "fc.0.weight");
  names.add("fc.2.weight", "fc.2.weight");
  if (options_.bias) {  // a biased SE (e.g. a torchvision-style one) under the same names
    names.add("fc.0.bias", "fc.0.bias");
    names.add("fc.2.bias", "fc.2.bias");
  }
  return names;
}

std::string SqueezeExcitation::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string gate = export_child(graph, *fc_, graph.flatten(graph.global_average_pool(x), 1));
  return graph.mul(x, graph.reshape(gate, channel_gate_shape(graph.sample(x))));
}

}  // namespace gaze
