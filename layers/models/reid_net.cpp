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
  trunk_.blocks = blocks_per_stage("VideoReidNet", options_.blocks, widths.size());
  check_inflate_rules("VideoReidNet", options_.inflate, widths.size());
  if (options_.stem == StemKind::deep) fail("VideoReidNet: stem deep is for images; video stems: small, imagenet");

  const int64_t s0 = options_.stem_stride;
  if (options_.stem == StemKind::imagenet)
    stem_ = register_module("stem", make_video_imagenet_stem(options_.in_channels, widths[0], 5));
  else
    stem_ = register_module("stem", make_conv_bn_relu(3, options_.in_channels, widths[0], {3, 3, 3}, {1, s0, s0}));
  trunk_.stages = register_module("stages", std::make_shared<Sequential>());
  int64_t in = widths[0];
  auto channels = [&](size_t stage) { return block_out_channels(options_.block, widths[stage]); };
  for (size_t i = 0; i < widths.size(); ++i) {
    append_video_stage(*trunk_.stages,
                       VideoStageOptions{.block = options_.block, .in = in, .width = widths[i], .stride = options_.strides[i],
                                         .blocks = trunk_.blocks[i], .stage = i, .inflate_in_time = true, .inflate = options_.inflate,
                                         .basic_kernel2 = {3, 3, 3}, .zero_init_residual = options_.zero_init_residual});
    in = channels(i);
  }
  if (options_.temporal_pool) trunk_.temporal_pool = make_temporal_pool();
  if (options_.bn_neck) neck_ = register_module("neck", std::make_shared<BatchNorm>(BatchNormOptions{.channels = in}));
  classifier_ = register_module("classifier", std::make_shared<Linear>(in, options_.num_identities, /*bias=*/!options_.bn_neck));
  // Last, so that the backbone and classifier draw the same random numbers with or without blocks.
  std::vector<int64_t> channels_per_stage;
  for (size_t i = 0; i < widths.size(); ++i) channels_per_stage.push_back(channels(i));
  trunk_.add_nonlocal(options_.nonlocal_mode, options_.nonlocal_blocks, options_.nonlocal_sub_sample, channels_per_stage,
                      [this](const std::string& name, std::shared_ptr<Sequential> stack) { return register_module(name, std::move(stack)); });
}

TensorDict VideoReidNet::forward_all(const std::vector<Tensor>& inputs) {
  const Tensor& tracklet = single_input(inputs);
  if (!tracklet.defined() || tracklet.dim() != 5 || tracklet.shape()[1] != options_.in_channels)
    fail("VideoReidNet: expected tracklets [N, {}, T, H, W], got {}", options_.in_channels,
         tracklet.defined() ? shape_str(tracklet.shape()) : "an undefined tensor");
  Tensor x = trunk_.forward(stem_->forward(tracklet));
  Tensor features = flatten(global_avg_pool(x), 1);  // spatial and temporal average pooling
  Tensor logits = classifier_->forward(neck_ ? neck_->forward(features) : features);
  return {{"out", features}, {"logits", logits}};
}
// The features ("out"), what retrieval compares; the identity logits are for training.
std::string VideoReidNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string x = trunk_.export_onnx(graph, export_child(graph, *stem_, single_input(inputs)));
  return graph.flatten(graph.global_average_pool(x), 1);
}


std::string VideoReidNet::extra_repr() const {
  return fmt::format("widths=[{}], strides=[{}], identities={}{}{}", fmt::join(options_.widths, ","), fmt::join(options_.strides, ","),
                     options_.num_identities,
                     options_.nonlocal_mode.empty() ? "" : fmt::format(", nonlocal={}x{}", options_.nonlocal_mode, options_.nonlocal_blocks),
                     options_.bn_neck ? ", bn_neck" : "");
}

}  // namespace gaze
