#include "layers/attention/bam.h"

#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(BAMCombine) {
  static const ChoiceNames names{"BAM", "combine", "choices",
                                 {{"product", "σ(Mc·Ms), the authors' code"}, {"sum", "σ(Mc + Ms), the paper"}}};
  return names;
}

BAM::BAM(BAMOptions o) : options_(std::move(o)) {
  int64_t c = options_.channels, hidden = hidden_width("BAM", c, options_.reduction);
  int64_t d = options_.dilation;
  if (d < 1) fail("BAM: dilation must be positive, got {}", d);
  if (options_.num_layers < 0) fail("BAM: num_layers must be 0 or more, got {}", options_.num_layers);
  if (options_.dilation_conv_num < 0) fail("BAM: dilation_conv_num must be 0 or more, got {}", options_.dilation_conv_num);
  auto bn = [](int64_t channels) { return std::make_shared<BatchNorm>(BatchNormOptions{.channels = channels}); };
  // As the authors' ChannelGate: widths [C, h × num_layers, C], FC-BN-ReLU between them, FC last.
  channel_ = register_module("channel", std::make_shared<Sequential>());
  int64_t width = c;
  for (int64_t i = 0; i < options_.num_layers; ++i) {
    channel_->push_back(std::make_shared<Linear>(width, hidden));
    channel_->push_back(bn(hidden));
    channel_->push_back(std::make_shared<ReLU>());
    width = hidden;
  }
  channel_->push_back(std::make_shared<Linear>(width, c));
  spatial_ = register_module("spatial", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                            make_conv(2, c, hidden, 1), bn(hidden), std::make_shared<ReLU>()}));
  for (int64_t i = 0; i < options_.dilation_conv_num; ++i) {
    spatial_->push_back(make_conv(2, hidden, hidden, 3, 1, d, true, 1, d));
    spatial_->push_back(bn(hidden));
    spatial_->push_back(std::make_shared<ReLU>());
  }
  spatial_->push_back(make_conv(2, hidden, 1, 1));
}

Tensor BAM::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != 4 || x.shape()[1] != options_.channels)
    fail("BAM({}): expected input [N, {}, H, W], got {}", options_.channels, options_.channels,
         x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  Tensor mc = reshape(channel_->forward(flatten(global_avg_pool(x), 1)), channel_gate_shape(x));  // [N, C, 1, 1]
  Tensor ms = spatial_->forward(x);                                                                // [N, 1, H, W]
  Tensor gate = sigmoid(options_.combine == BAMCombine::product ? mc * ms : mc + ms);                        // [N, C, H, W]
  remember(gate);
  return x * (1.0 + gate);
}

std::string BAM::extra_repr() const {
  return fmt::format("{}, reduction={}, dilation={}, combine={}{}{}", options_.channels, options_.reduction, options_.dilation,
                     name_of(options_.combine), options_.num_layers != 1 ? fmt::format(", num_layers={}", options_.num_layers) : "",
                     options_.dilation_conv_num != 2 ? fmt::format(", dilation_conv_num={}", options_.dilation_conv_num) : "");
}

// Mc [N, C, 1, 1] meets Ms [N, 1, H, W] after Ms is repeated over the channels: OpenCV 4.6
// cannot broadcast both operands of one Mul or Add.
std::string BAM::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string mc = graph.reshape(export_child(graph, *channel_, graph.flatten(graph.global_average_pool(x), 1)),
                                 channel_gate_shape(graph.sample(x)));
  std::string ms = graph.repeat_channels(export_child(graph, *spatial_, x), options_.channels);
  std::string gate = graph.sigmoid(options_.combine == BAMCombine::product ? graph.mul(ms, mc) : graph.add(ms, mc));
  return graph.mul(x, graph.add(gate, graph.scalar(1.0)));
}

// The authors' names: gate_c_fc_{i} / gate_c_bn_{i+1} / gate_c_fc_final and gate_s_conv_reduce0,
// gate_s_bn_reduce0, gate_s_conv_di_{i}, gate_s_bn_di_{i}, gate_s_conv_final (ReLUs and Flatten
// hold nothing). The sum form is refused: it would load the weights and compute another gate.
OfficialNames BAM::official_names() const {
  if (options_.combine != BAMCombine::product)
    fail("BAM: the authors' BAM multiplies the branches, σ(Mc·Ms); official names need combine: product (this layer has combine: {})",
         name_of(options_.combine));
  OfficialNames names("Jongchan/attention-module MODELS/bam.py BAM");
  const std::string c = "channel_att.gate_c.", s = "spatial_att.gate_s.";
  for (int64_t i = 0; i < options_.num_layers; ++i) {
    names.add_weight_bias(fmt::format("{}gate_c_fc_{}", c, i), fmt::format("channel.{}", 3 * i));
    names.add_batch_norm(fmt::format("{}gate_c_bn_{}", c, i + 1), fmt::format("channel.{}", 3 * i + 1));
  }
  names.add_weight_bias(c + "gate_c_fc_final", fmt::format("channel.{}", 3 * options_.num_layers));
  names.add_weight_bias(s + "gate_s_conv_reduce0", "spatial.0");
  names.add_batch_norm(s + "gate_s_bn_reduce0", "spatial.1");
  for (int64_t i = 0; i < options_.dilation_conv_num; ++i) {
    names.add_weight_bias(fmt::format("{}gate_s_conv_di_{}", s, i), fmt::format("spatial.{}", 3 + 3 * i));
    names.add_batch_norm(fmt::format("{}gate_s_bn_di_{}", s, i), fmt::format("spatial.{}", 4 + 3 * i));
  }
  names.add_weight_bias(s + "gate_s_conv_final", fmt::format("spatial.{}", 3 + 3 * options_.dilation_conv_num));
  return names;
}

}  // namespace gaze
