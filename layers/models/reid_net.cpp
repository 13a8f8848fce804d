#include "layers/models/reid_net.h"

#include "autograd/ops.h"
#include "layers/models/nonlocal_insertion.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

VideoReidNet::VideoReidNet(ReidNetOptions o) : options_(std::move(o)) {
  const auto& widths = options_.widths;
  if (widths.empty() || widths.size() != options_.strides.size())
    fail("VideoReidNet: widths ({} entries) and strides ({} entries) must be non-empty and of equal length", widths.size(),
         options_.strides.size());
  for (size_t i = 0; i < widths.size(); ++i)
    if (widths[i] < 1 || options_.strides[i] < 1)
      fail("VideoReidNet: widths[{}] = {} and strides[{}] = {} must be positive", i, widths[i], i, options_.strides[i]);
  if (options_.in_channels < 1 || options_.num_identities < 1 || options_.stem_stride < 1)
    fail("VideoReidNet: in_channels ({}), num_identities ({}) and stem_stride ({}) must be positive", options_.in_channels,
         options_.num_identities, options_.stem_stride);
  check_nonlocal_options("VideoReidNet", options_.nonlocal_mode, options_.nonlocal_blocks);

  const int64_t s0 = options_.stem_stride;
  stem_ = register_module("stem", make_conv_bn_relu(3, options_.in_channels, widths[0], {3, 3, 3}, {1, s0, s0}));
  stages_ = register_module("stages", std::make_shared<Sequential>());
  int64_t in = widths[0];
  for (size_t i = 0; i < widths.size(); ++i) {
    int64_t s = options_.strides[i];
    stages_->push_back(std::make_shared<ResidualBlock>(ResidualBlockOptions{
        .dims = 3, .in = in, .out = widths[i], .stride = {1, s, s}, .kernel1 = {3, 3, 3}, .kernel2 = {3, 3, 3}}));
    in = widths[i];
  }
  if (options_.bn_neck) neck_ = register_module("neck", std::make_shared<BatchNorm>(BatchNormOptions{.channels = in}));
  classifier_ = register_module("classifier", std::make_shared<Linear>(in, options_.num_identities, /*bias=*/!options_.bn_neck));
  // Last, so that the backbone and classifier draw the same random numbers with or without blocks.
  std::vector<int64_t> per_stage = nonlocal_blocks_per_stage(options_.nonlocal_mode, options_.nonlocal_blocks,
                                                             static_cast<int64_t>(widths.size()));
  nonlocal_.resize(per_stage.size());
  for (size_t i = 0; i < per_stage.size(); ++i)
    if (per_stage[i] > 0)
      nonlocal_[i] = register_module(fmt::format("stage{}_nonlocal", i), make_nonlocal_stack(per_stage[i], widths[i], options_.nonlocal_mode,
                                                                                            options_.nonlocal_sub_sample));
}

TensorDict VideoReidNet::forward_all(const std::vector<Tensor>& inputs) {
  const Tensor& tracklet = single_input(inputs);
  if (!tracklet.defined() || tracklet.dim() != 5 || tracklet.shape()[1] != options_.in_channels)
    fail("VideoReidNet: expected tracklets [N, {}, T, H, W], got {}", options_.in_channels,
         tracklet.defined() ? shape_str(tracklet.shape()) : "an undefined tensor");
  Tensor x = stem_->forward(tracklet);
  for (size_t i = 0; i < stages_->size(); ++i) {
    x = (*stages_)[i]->forward(x);
    if (nonlocal_[i]) x = nonlocal_[i]->forward(x);
  }
  Tensor features = flatten(global_avg_pool(x), 1);  // spatial and temporal average pooling
  Tensor logits = classifier_->forward(neck_ ? neck_->forward(features) : features);
  return {{"out", features}, {"logits", logits}};
}
// The features ("out"), what retrieval compares; the identity logits are for training.
std::string VideoReidNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string x = export_child(graph, *stem_, single_input(inputs));
  for (size_t i = 0; i < stages_->size(); ++i) {
    graph.push_scope("stages");
    x = stages_->export_child(graph, *(*stages_)[i], x);
    graph.pop_scope();
    if (nonlocal_[i]) x = export_child(graph, *nonlocal_[i], x);
  }
  return graph.flatten(graph.global_average_pool(x), 1);
}


std::string VideoReidNet::extra_repr() const {
  return fmt::format("widths=[{}], strides=[{}], identities={}{}{}", fmt::join(options_.widths, ","), fmt::join(options_.strides, ","),
                     options_.num_identities,
                     options_.nonlocal_mode.empty() ? "" : fmt::format(", nonlocal={}x{}", options_.nonlocal_mode, options_.nonlocal_blocks),
                     options_.bn_neck ? ", bn_neck" : "");
}

}  // namespace gaze
