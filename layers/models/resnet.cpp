#include "layers/models/resnet.h"

#include "autograd/ops.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

BasicBlock::BasicBlock(int64_t in, int64_t out, int64_t stride, std::shared_ptr<Module> residual_attention) {
  conv1_ = register_module("conv1", make_conv(2, in, out, 3, stride, 1, /*bias=*/false));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}));
  conv2_ = register_module("conv2", make_conv(2, out, out, 3, 1, 1, /*bias=*/false));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}));
  if (stride != 1 || in != out)
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                                make_conv(2, in, out, 1, stride, 0, false),
                                                std::make_shared<BatchNorm>(BatchNormOptions{.channels = out})}));
  if (residual_attention) attention_ = register_module("attention", std::move(residual_attention));
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  if (attention_) out = attention_->forward(out);
  return relu(out + (shortcut_ ? shortcut_->forward(x) : x));
}

AttentionPlacement parse_attention_placement(const std::string& text) {
  if (text == "after_block") return AttentionPlacement::after_block;
  if (text == "residual") return AttentionPlacement::residual;
  fail("unknown attention placement '{}': expected after_block or residual", text);
}

ResNet::ResNet(ResNetOptions o) : options_(std::move(o)) {
  if (options_.widths.empty() || options_.widths.size() != options_.strides.size())
    fail("ResNet: widths ({}) and strides ({}) must be non-empty and of equal length", options_.widths.size(), options_.strides.size());
  stem_ = register_module("stem", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                      make_conv(2, options_.in_channels, options_.widths[0], 3, 1, 1, false),
                                      std::make_shared<BatchNorm>(BatchNormOptions{.channels = options_.widths[0]}),
                                      std::make_shared<ReLU>()}));
  stages_ = register_module("stages", std::make_shared<Sequential>());
  int64_t in = options_.widths[0];
  for (size_t i = 0; i < options_.widths.size(); ++i) {
    const bool residual = options_.attention && options_.placement == AttentionPlacement::residual;
    stages_->push_back(std::make_shared<BasicBlock>(in, options_.widths[i], options_.strides[i],
                                                    residual ? options_.attention(options_.widths[i]) : nullptr));
    if (options_.attention && !residual) stages_->push_back(options_.attention(options_.widths[i]));
    in = options_.widths[i];
  }
  fc_ = register_module("fc", std::make_shared<Linear>(in, options_.num_classes));
}

Tensor ResNet::forward(const Tensor& x) { return fc_->forward(flatten(global_avg_pool(stages_->forward(stem_->forward(x))), 1)); }

std::string ResNet::extra_repr() const {
  return fmt::format("widths=[{}], strides=[{}], classes={}", fmt::join(options_.widths, ","), fmt::join(options_.strides, ","),
                     options_.num_classes);
}

std::string BasicBlock::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string out = graph.relu(export_child(graph, *bn1_, export_child(graph, *conv1_, x)));
  out = export_child(graph, *bn2_, export_child(graph, *conv2_, out));
  if (attention_) out = export_child(graph, *attention_, out);
  return graph.relu(graph.add(out, shortcut_ ? export_child(graph, *shortcut_, x) : x));
}

std::string ResNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string features = export_child(graph, *stages_, export_child(graph, *stem_, single_input(inputs)));
  return export_child(graph, *fc_, graph.flatten(graph.global_average_pool(features), 1));
}

}  // namespace gaze
