#include "layers/models/resnet.h"

#include "layers/models/bottleneck.h"

#include "autograd/ops.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

BasicBlock::BasicBlock(int64_t in, int64_t out, int64_t stride, std::shared_ptr<Module> residual_attention, bool zero_init_last_bn) {
  conv1_ = register_module("conv1", make_conv(2, in, out, 3, stride, 1, /*bias=*/false));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}));
  conv2_ = register_module("conv2", make_conv(2, out, out, 3, 1, 1, /*bias=*/false));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm>(BatchNormOptions{.channels = out, .weight_init = zero_init_last_bn ? 0.0 : 1.0}));
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
  if (text == "after_stage") return AttentionPlacement::after_stage;
  if (text == "residual") return AttentionPlacement::residual;
  fail("unknown attention placement '{}': expected after_block, after_stage or residual", text);
}

ResNet::ResNet(ResNetOptions o) : options_(std::move(o)) {
  if (options_.widths.empty() || options_.widths.size() != options_.strides.size())
    fail("ResNet: widths ({}) and strides ({}) must be non-empty and of equal length", options_.widths.size(), options_.strides.size());
  const std::vector<int64_t> blocks = blocks_per_stage("ResNet", options_.blocks, options_.widths.size());
  if (options_.stem == StemKind::small)
    stem_ = register_module("stem", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                        make_conv(2, options_.in_channels, options_.widths[0], 3, 1, 1, false),
                                        std::make_shared<BatchNorm>(BatchNormOptions{.channels = options_.widths[0]}),
                                        std::make_shared<ReLU>()}));
  else
    stem_ = register_module("stem", make_imagenet_stem(options_.stem, options_.in_channels, options_.widths[0]));
  stages_ = register_module("stages", std::make_shared<Sequential>());
  const auto placement = options_.attention ? options_.placement : AttentionPlacement::residual;
  const bool residual = options_.attention && placement == AttentionPlacement::residual;
  int64_t in = options_.widths[0];
  for (size_t i = 0; i < options_.widths.size(); ++i) {
    const int64_t width = options_.widths[i], out = block_out_channels(options_.block, width);
    for (int64_t b = 0; b < blocks[i]; ++b) {
      const int64_t stride = b == 0 ? options_.strides[i] : 1;
      std::shared_ptr<Module> attention = residual ? options_.attention(out) : nullptr;
      if (options_.block == BlockKind::basic)
        stages_->push_back(std::make_shared<BasicBlock>(in, width, stride, std::move(attention), options_.zero_init_residual));
      else
        stages_->push_back(std::make_shared<Bottleneck>(BottleneckOptions{.dims = 2, .in = in, .width = width, .stride = {stride},
                                                                          .zero_init_last_bn = options_.zero_init_residual,
                                                                          .attention = std::move(attention)}));
      in = out;
      if (options_.attention && placement == AttentionPlacement::after_block) stages_->push_back(options_.attention(out));
    }
    if (options_.attention && placement == AttentionPlacement::after_stage && i + 1 < options_.widths.size())
      stages_->push_back(options_.attention(out));
  }
  fc_ = register_module("fc", std::make_shared<Linear>(in, options_.num_classes));
}

Tensor ResNet::forward(const Tensor& x) { return fc_->forward(flatten(global_avg_pool(stages_->forward(stem_->forward(x))), 1)); }

std::string ResNet::extra_repr() const {
  const bool one_each = options_.blocks.empty() && options_.block == BlockKind::basic;
  return fmt::format("widths=[{}], strides=[{}]{}, classes={}", fmt::join(options_.widths, ","), fmt::join(options_.strides, ","),
                     one_each ? "" : fmt::format(", blocks=[{}] {}", fmt::join(blocks_per_stage("ResNet", options_.blocks, options_.widths.size()), ","),
                                                 name_of(options_.block)),
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
