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
  blocks_ = blocks_per_stage("VideoReidNet", options_.blocks, widths.size());
  check_inflate_rules("VideoReidNet", options_.inflate, widths.size());
  if (options_.stem == StemKind::deep) fail("VideoReidNet: stem deep is for images; video stems: small, imagenet");

  const int64_t s0 = options_.stem_stride;
  if (options_.stem == StemKind::imagenet)
    stem_ = register_module("stem", make_video_imagenet_stem(options_.in_channels, widths[0], 5));
  else
    stem_ = register_module("stem", make_conv_bn_relu(3, options_.in_channels, widths[0], {3, 3, 3}, {1, s0, s0}));
  stages_ = register_module("stages", std::make_shared<Sequential>());
  int64_t in = widths[0];
  auto channels = [&](size_t stage) { return block_out_channels(options_.block, widths[stage]); };
  for (size_t i = 0; i < widths.size(); ++i) {
    append_video_stage(*stages_, VideoStageOptions{.block = options_.block, .in = in, .width = widths[i], .stride = options_.strides[i],
                                                   .blocks = blocks_[i], .stage = i, .inflate_in_time = true, .inflate = options_.inflate,
                                                   .basic_kernel2 = {3, 3, 3}, .zero_init_residual = options_.zero_init_residual});
    in = channels(i);
  }
  if (options_.temporal_pool) temporal_pool_ = make_temporal_pool();
  if (options_.bn_neck) neck_ = register_module("neck", std::make_shared<BatchNorm>(BatchNormOptions{.channels = in}));
  classifier_ = register_module("classifier", std::make_shared<Linear>(in, options_.num_identities, /*bias=*/!options_.bn_neck));
  // Last, so that the backbone and classifier draw the same random numbers with or without blocks.
  std::vector<int64_t> per_stage = nonlocal_blocks_per_stage(options_.nonlocal_mode, options_.nonlocal_blocks,
                                                             static_cast<int64_t>(widths.size()));
  nonlocal_.resize(per_stage.size());
  nonlocal_after_.resize(per_stage.size());
  for (size_t i = 0; i < per_stage.size(); ++i)
    if (per_stage[i] > 0) {
      nonlocal_[i] = register_module(fmt::format("stage{}_nonlocal", i), make_nonlocal_stack(per_stage[i], channels(i), options_.nonlocal_mode,
                                                                                            options_.nonlocal_sub_sample));
      nonlocal_after_[i] = nonlocal_positions(per_stage[i], blocks_[i]);
    }
}

TensorDict VideoReidNet::forward_all(const std::vector<Tensor>& inputs) {
  const Tensor& tracklet = single_input(inputs);
  if (!tracklet.defined() || tracklet.dim() != 5 || tracklet.shape()[1] != options_.in_channels)
    fail("VideoReidNet: expected tracklets [N, {}, T, H, W], got {}", options_.in_channels,
         tracklet.defined() ? shape_str(tracklet.shape()) : "an undefined tensor");
  Tensor x = stem_->forward(tracklet);
  size_t k = 0;  // the block's index in stages_
  for (size_t i = 0; i < blocks_.size(); ++i) {
    for (int64_t b = 0; b < blocks_[i]; ++b) {
      x = (*stages_)[k++]->forward(x);
      for (size_t j = 0; j < nonlocal_after_[i].size(); ++j)
        if (nonlocal_after_[i][j] == b) x = (*nonlocal_[i])[j]->forward(x);
    }
    if (i == 0 && temporal_pool_) x = temporal_pool_->forward(x);
  }
  Tensor features = flatten(global_avg_pool(x), 1);  // spatial and temporal average pooling
  Tensor logits = classifier_->forward(neck_ ? neck_->forward(features) : features);
  return {{"out", features}, {"logits", logits}};
}
// The features ("out"), what retrieval compares; the identity logits are for training.
std::string VideoReidNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string x = export_child(graph, *stem_, single_input(inputs));
  size_t k = 0;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    for (int64_t b = 0; b < blocks_[i]; ++b) {
      graph.push_scope("stages");
      x = stages_->export_child(graph, *(*stages_)[k++], x);
      graph.pop_scope();
      for (size_t j = 0; j < nonlocal_after_[i].size(); ++j)
        if (nonlocal_after_[i][j] == b) {
          graph.push_scope(fmt::format("stage{}_nonlocal", i));
          x = nonlocal_[i]->export_child(graph, *(*nonlocal_[i])[j], x);
          graph.pop_scope();
        }
    }
    if (i == 0 && temporal_pool_) x = temporal_pool_->export_onnx(graph, {x});
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
