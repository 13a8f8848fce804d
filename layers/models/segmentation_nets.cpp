#include "layers/models/segmentation_nets.h"

#include "layers/models/bottleneck.h"

#include "autograd/ops.h"
#include "layers/attention/non_local.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

namespace {

// mmseg's FCNHead (num_convs = 1, concat_input = false): 3x3 conv-BN-ReLU to in/4, dropout, 1x1.
std::shared_ptr<Sequential> fcn_head(int64_t in, int64_t classes, double dropout) {
  int64_t inter = std::max<int64_t>(1, in / 4);
  auto head = make_conv_bn_relu(2, in, inter, {3}, {1});
  head->push_back(std::make_shared<ChannelDropout>(dropout));
  head->push_back(make_conv(2, inter, classes, 1));
  return head;
}

}  // namespace

SegmentationNet::SegmentationNet(SegmentationNetOptions o) : options_(std::move(o)) {
  const auto& widths = options_.widths;
  if (widths.size() < 4)
    fail("SegmentationNet: widths needs at least 4 stages (two that reach output stride 8, two dilated by 2 and 4), got {} ([{}])",
         widths.size(), fmt::join(widths, ", "));
  for (size_t i = 0; i < widths.size(); ++i)
    if (widths[i] < 1) fail("SegmentationNet: widths[{}] must be positive, got {}", i, widths[i]);
  if (options_.in_channels < 1 || options_.num_classes < 1)
    fail("SegmentationNet: in_channels ({}) and num_classes ({}) must be positive", options_.in_channels, options_.num_classes);
  if (options_.head != "fcn" && options_.head != "danet") fail("SegmentationNet: unknown head '{}'; heads: fcn, danet", options_.head);
  if (options_.head == "danet" && !options_.position && !options_.channel)
    fail("SegmentationNet: head danet needs position or channel (or both) on; both are off");

  blocks_ = blocks_per_stage("SegmentationNet", options_.blocks, widths.size());
  if (options_.stem == StemKind::small) {
    stem_ = register_module("stem", make_conv_bn_relu(2, options_.in_channels, widths[0], {3}, {2}));
    output_stride_ = 2;
  } else {
    stem_ = register_module("stem", make_imagenet_stem(options_.stem, options_.in_channels, widths[0]));
    output_stride_ = 4;
  }
  if (options_.stem_nonlocal != "none")
    stem_nonlocal_ = register_module("stem_nonlocal", std::make_shared<NonLocal>(NonLocalOptions{
                                                          .channels = widths[0], .mode = parse_choice<NonLocalMode>(options_.stem_nonlocal), .dims = 2}));
  stages_ = register_module("stages", std::make_shared<Sequential>());
  const size_t dilated = widths.size() - 2;
  int64_t in = widths[0];
  for (size_t i = 0; i < widths.size(); ++i) {
    // The stems with a max pool keep the first stage at their stride, as ResNet's res2.
    const bool keeps = i == 0 && options_.stem != StemKind::small;
    int64_t stride = !keeps && i < dilated && output_stride_ < 8 ? 2 : 1;
    int64_t dilation = i < dilated ? 1 : (i == dilated ? 2 : 4);
    output_stride_ *= stride;
    dilations_.push_back(dilation);
    const int64_t out = block_out_channels(options_.block, widths[i]);
    for (int64_t b = 0; b < blocks_[i]; ++b) {
      const int64_t block_stride = b == 0 ? stride : 1;
      const int64_t block_dilation = b == 0 && blocks_[i] > 1 && dilation > 1 ? dilation / 2 : dilation;
      if (options_.block == BlockKind::basic)
        stages_->push_back(std::make_shared<ResidualBlock>(ResidualBlockOptions{.dims = 2, .in = in, .out = out, .stride = {block_stride},
                                                                                .dilation = block_dilation,
                                                                                .zero_init_last_bn = options_.zero_init_residual}));
      else
        stages_->push_back(std::make_shared<Bottleneck>(BottleneckOptions{.dims = 2, .in = in, .width = widths[i], .stride = {block_stride},
                                                                          .dilation = block_dilation,
                                                                          .zero_init_last_bn = options_.zero_init_residual}));
      in = out;
    }
  }
  if (output_stride_ != 8) fail("SegmentationNet: internal: output stride {} instead of 8", output_stride_);
  if (options_.head == "fcn") {
    fcn_head_ = register_module("head", fcn_head(in, options_.num_classes, options_.dropout));
  } else {
    danet_head_ = register_module("head", std::make_shared<DualAttentionHead>(DualAttentionHeadOptions{
                                              .in_channels = in, .num_classes = options_.num_classes, .dropout = options_.dropout,
                                              .position = options_.position, .channel = options_.channel}));
  }
  if (options_.aux_head)
    aux_head_ = register_module("aux_head", fcn_head(block_out_channels(options_.block, widths[dilated]), options_.num_classes, options_.dropout));
}

std::vector<int64_t> SegmentationNet::stage_dilations() const { return dilations_; }

TensorDict SegmentationNet::forward_all(const std::vector<Tensor>& inputs) {
  const Tensor& x = single_input(inputs);
  if (!x.defined() || x.dim() != 4 || x.shape()[1] != options_.in_channels)
    fail("SegmentationNet: expected images [N, {}, H, W], got {}", options_.in_channels, x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  const std::vector<int64_t> size{x.shape()[2], x.shape()[3]};
  auto full_size = [&](const Tensor& t) { return interpolate(t, size, "bilinear", /*align_corners=*/false); };
  Tensor feature = stem_->forward(x), first_dilated;
  if (stem_nonlocal_) feature = stem_nonlocal_->forward(feature);
  size_t k = 0;  // the block's index in stages_
  for (size_t i = 0; i < blocks_.size(); ++i) {
    for (int64_t b = 0; b < blocks_[i]; ++b) feature = (*stages_)[k++]->forward(feature);
    if (i == blocks_.size() - 2) first_dilated = feature;
  }
  // Computed in this order (the auxiliary head first), whatever the order of the outputs.
  Tensor aux = aux_head_ ? full_size(aux_head_->forward(first_dilated)) : Tensor();
  TensorDict out;
  if (fcn_head_) {
    out.set("out", full_size(fcn_head_->forward(feature)));
    if (aux.defined()) out.set("aux_head", aux);
    return out;
  }
  TensorDict heads = danet_head_->forward_all({feature});
  out.set("out", full_size(heads.at("out")));
  if (aux.defined()) out.set("aux_head", aux);
  if (heads.contains("position_aux")) out.set("position", full_size(heads.at("position_aux")));
  if (heads.contains("channel_aux")) out.set("channel", full_size(heads.at("channel_aux")));
  return out;
}
// The main prediction only, resized to the input (the auxiliary heads are for training).
std::string SegmentationNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  const std::vector<int64_t> size{graph.shape(x)[2], graph.shape(x)[3]};
  std::string feature = export_child(graph, *stem_, x);
  if (stem_nonlocal_) feature = export_child(graph, *stem_nonlocal_, feature);
  feature = export_child(graph, *stages_, feature);
  std::string logits = fcn_head_ ? export_child(graph, *fcn_head_, feature) : export_child(graph, *danet_head_, feature);
  return graph.resize(logits, size, "bilinear", /*align_corners=*/false);
}


std::string SegmentationNet::extra_repr() const {
  std::string head = options_.head == "fcn" ? "fcn"
                                            : fmt::format("danet({}{}{})", options_.position ? "PAM" : "",
                                                          options_.position && options_.channel ? "+" : "", options_.channel ? "CAM" : "");
  return fmt::format("widths=[{}], output stride {}, {}head={}{}, classes={}", fmt::join(options_.widths, ","), output_stride_,
                     stem_nonlocal_ ? "stem nonlocal " + options_.stem_nonlocal + ", " : "", head, options_.aux_head ? " + aux" : "",
                     options_.num_classes);
}

}  // namespace gaze
