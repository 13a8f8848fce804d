#include "layers/models/video_nets.h"

#include "autograd/ops.h"
#include "layers/models/bottleneck.h"
#include "layers/models/nonlocal_insertion.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(VideoNetKind) {
  static const ChoiceNames names{"VideoNet", "kind", "kinds", {{"c2d", ""}, {"i3d", ""}, {"tsn", ""}}};
  return names;
}

namespace {

void check_options(const VideoNetOptions& o) {
  if (o.widths.empty() || o.widths.size() != o.strides.size())
    fail("VideoNet: widths ({} entries) and strides ({} entries) must be non-empty and of equal length", o.widths.size(),
         o.strides.size());
  for (size_t i = 0; i < o.widths.size(); ++i)
    if (o.widths[i] < 1 || o.strides[i] < 1)
      fail("VideoNet: widths[{}] = {} and strides[{}] = {} must be positive", i, o.widths[i], i, o.strides[i]);
  if (o.in_channels < 1 || o.num_classes < 1 || o.stem_stride < 1)
    fail("VideoNet: in_channels ({}), num_classes ({}) and stem_stride ({}) must be positive", o.in_channels, o.num_classes,
         o.stem_stride);
  check_nonlocal_options("VideoNet", o.nonlocal_mode, o.nonlocal_blocks);
  blocks_per_stage("VideoNet", o.blocks, o.widths.size());
  check_inflate_rules("VideoNet", o.inflate, o.widths.size());
  if (o.stem == StemKind::deep) fail("VideoNet: stem deep is for images; video stems: small, imagenet");
  if (o.kind != VideoNetKind::i3d && !o.inflate.empty())
    fail("VideoNet: inflate is for kind i3d ({} inflates no block); give inflate: []", name_of(o.kind));
  if (o.kind != VideoNetKind::tsn) return;
  if (o.temporal_pool) fail("VideoNet: temporal_pool is for kinds c2d and i3d; kind tsn sees snippets, not clips");
  if (!o.nonlocal_mode.empty())
    fail("VideoNet: nonlocal_mode '{}' is for kinds c2d and i3d; kind tsn's attention is the interaction-aware pyramid", o.nonlocal_mode);
  if (o.segments < 1 || o.snippet_frames < 1 || o.iapa_channels < 1)
    fail("VideoNet: segments ({}), snippet_frames ({}) and iapa_channels ({}) must be positive", o.segments, o.snippet_frames,
         o.iapa_channels);
  int64_t stages = static_cast<int64_t>(o.widths.size());
  int64_t levels = o.iapa_levels == 0 ? stages : o.iapa_levels;
  if (levels < 2 || levels > stages)
    fail("VideoNet: iapa_levels = {} must be 0 (all) or between 2 and the number of stages ({}): the pyramid needs two maps at least",
         o.iapa_levels, stages);
}

}  // namespace

VideoNet::VideoNet(VideoNetOptions o) : options_(std::move(o)) {
  check_options(options_);
  const bool tsn = options_.kind == VideoNetKind::tsn;
  trunk_.blocks = blocks_per_stage("VideoNet", options_.blocks, options_.widths.size());
  // c2d: 1x3x3 kernels (per frame); i3d: the stem and each (inflated) block's first conv 3x3x3.
  const int64_t t = options_.kind == VideoNetKind::i3d ? 3 : 1;
  const int64_t s0 = options_.stem_stride;
  const int64_t stem_in = options_.in_channels * (tsn ? options_.snippet_frames : 1);
  if (options_.stem == StemKind::imagenet)
    stem_ = register_module("stem", tsn ? make_imagenet_stem(StemKind::imagenet, stem_in, options_.widths[0])
                                        : make_video_imagenet_stem(stem_in, options_.widths[0], t == 3 ? 5 : 1));
  else
    stem_ = register_module("stem", tsn ? make_conv_bn_relu(2, stem_in, options_.widths[0], {3}, {s0})
                                        : make_conv_bn_relu(3, stem_in, options_.widths[0], {t, 3, 3}, {1, s0, s0}));
  trunk_.stages = register_module("stages", std::make_shared<Sequential>());
  int64_t in = options_.widths[0];
  for (size_t i = 0; i < options_.widths.size(); ++i) {
    int64_t s = options_.strides[i];
    if (!tsn) {
      append_video_stage(*trunk_.stages,
                         VideoStageOptions{.block = options_.block, .in = in, .width = options_.widths[i], .stride = s,
                                           .blocks = trunk_.blocks[i], .stage = i, .inflate_in_time = t == 3, .inflate = options_.inflate,
                                           .basic_kernel2 = {1, 3, 3}, .zero_init_residual = options_.zero_init_residual});
    } else {
      for (int64_t b = 0; b < trunk_.blocks[i]; ++b) {
        const int64_t first_in = b == 0 ? in : stage_channels(i), stride = b == 0 ? s : 1;
        if (options_.block == BlockKind::basic)
          trunk_.stages->push_back(std::make_shared<ResidualBlock>(ResidualBlockOptions{
              .dims = 2, .in = first_in, .out = options_.widths[i], .stride = {stride}, .zero_init_last_bn = options_.zero_init_residual}));
        else
          trunk_.stages->push_back(std::make_shared<Bottleneck>(BottleneckOptions{
              .dims = 2, .in = first_in, .width = options_.widths[i], .stride = {stride}, .zero_init_last_bn = options_.zero_init_residual}));
      }
    }
    in = stage_channels(i);
  }
  if (options_.temporal_pool) trunk_.temporal_pool = make_temporal_pool();
  if (tsn) {
    int64_t stages = static_cast<int64_t>(options_.widths.size());
    int64_t levels = options_.iapa_levels == 0 ? stages : options_.iapa_levels;
    std::vector<int64_t> level_channels;
    for (int64_t i = stages - levels; i < stages; ++i) level_channels.push_back(stage_channels(static_cast<size_t>(i)));
    iapa_ = register_module("iapa", std::make_shared<InteractionAwarePyramidAttention>(
                                        InteractionAwarePyramidAttentionOptions{level_channels, options_.iapa_channels}));
    in = options_.iapa_channels;
  }
  fc_ = register_module("fc", std::make_shared<Linear>(in, options_.num_classes));
  // Last, so that the backbone and fc draw the same random numbers with or without blocks.
  std::vector<int64_t> channels_per_stage;
  for (size_t i = 0; i < options_.widths.size(); ++i) channels_per_stage.push_back(stage_channels(i));
  trunk_.add_nonlocal(options_.nonlocal_mode, options_.nonlocal_blocks, options_.nonlocal_sub_sample, channels_per_stage,
                      [this](const std::string& name, std::shared_ptr<Sequential> stack) { return register_module(name, std::move(stack)); });
}

Tensor VideoNet::forward(const Tensor& clip) {
  if (!clip.defined() || clip.dim() != 5 || clip.shape()[1] != options_.in_channels)
    fail("VideoNet({}): expected a clip [N, {}, T, H, W], got {}", name_of(options_.kind), options_.in_channels,
         clip.defined() ? shape_str(clip.shape()) : "an undefined tensor");
  return options_.kind == VideoNetKind::tsn ? forward_segments(clip) : forward_volume(clip);
}

Tensor VideoNet::forward_volume(const Tensor& clip) {
  Tensor x = trunk_.forward(stem_->forward(clip));
  return fc_->forward(flatten(global_avg_pool(x), 1));  // over T, H and W: the only temporal pooling
}

Tensor VideoNet::snippets(const Tensor& clip) const {
  int64_t n = clip.shape()[0], c = clip.shape()[1], t = clip.shape()[2], h = clip.shape()[3], w = clip.shape()[4];
  int64_t segments = options_.segments, length = options_.snippet_frames;
  if (t < segments * length)
    fail("VideoNet(tsn): the clip has {} frames, fewer than segments ({}) × snippet_frames ({}) = {}", t, segments, length,
         segments * length);
  std::vector<Tensor> parts;
  for (int64_t k = 0; k < segments; ++k) {
    int64_t begin = k * t / segments, end = (k + 1) * t / segments;  // TSN's equal segments
    parts.push_back(narrow(clip, 2, begin + (end - begin - length) / 2, length));
  }
  return reshape(stack(parts, 1), {n * segments, c * length, h, w});  // [N, S, C, L, H, W] → snippets
}

Tensor VideoNet::forward_segments(const Tensor& clip) {
  int64_t n = clip.shape()[0];
  Tensor x = stem_->forward(snippets(clip));
  std::vector<Tensor> maps;  // each stage's output
  size_t k = 0;
  for (int64_t count : trunk_.blocks) {
    for (int64_t b = 0; b < count; ++b) x = (*trunk_.stages)[k++]->forward(x);
    maps.push_back(x);
  }
  size_t levels = options_.iapa_levels == 0 ? maps.size() : static_cast<size_t>(options_.iapa_levels);
  std::vector<Tensor> pyramid(maps.end() - static_cast<std::ptrdiff_t>(levels), maps.end());
  Tensor per_snippet = reshape(iapa_->forward_all(pyramid).at("out"), {n, options_.segments, -1});
  return fc_->forward(mean(per_snippet, {1}));  // segmental consensus: the average
}

const InteractionAwarePyramidAttention& VideoNet::iapa(const char* loss) const {
  if (!iapa_)
    fail("VideoNet::{}: only kind tsn has the interaction-aware pyramid attention and its losses; this net is kind {}", loss,
         name_of(options_.kind));
  return *iapa_;
}

TensorDict VideoNet::forward_all(const std::vector<Tensor>& inputs) {
  TensorDict out{{"out", forward(single_input(inputs))}};
  if (iapa_) {
    // After the forward, in separate statements: the losses read what that forward recorded.
    out.set("interaction_loss", interaction_loss());
    out.set("diversity_loss", diversity_loss());
  }
  return out;
}

Tensor VideoNet::interaction_loss() const { return iapa("interaction_loss").interaction_loss(); }
Tensor VideoNet::diversity_loss() const { return iapa("diversity_loss").diversity_loss(); }
// The logits only (the pyramid attention's losses are for training). tsn's snippets: each
// segment's frames [N, C, L, H, W] become [N, 1, C·L, H, W], joined on axis 1 and folded into
// the batch, as forward's stack and reshape (without a 6-D value, which OpenCV 4.6 refuses).
std::string VideoNet::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& clip = single_input(inputs);
  const Shape& s = graph.shape(clip);
  const int64_t n = s[0], c = s[1], t = s[2], h = s[3], w = s[4];
  if (options_.kind != VideoNetKind::tsn) {
    std::string x = trunk_.export_onnx(graph, export_child(graph, *stem_, clip));
    return export_child(graph, *fc_, graph.flatten(graph.global_average_pool(x), 1));
  }
  const int64_t segments = options_.segments, length = options_.snippet_frames;
  if (t < segments * length)
    fail("VideoNet(tsn): the clip has {} frames, fewer than segments ({}) × snippet_frames ({}) = {}", t, segments, length, segments * length);
  std::vector<std::string> parts;
  for (int64_t k = 0; k < segments; ++k) {
    int64_t begin = k * t / segments, end = (k + 1) * t / segments;
    int64_t start = begin + (end - begin - length) / 2;
    parts.push_back(graph.reshape(graph.slice(clip, 2, start, start + length), {n, 1, c * length, h, w}));
  }
  std::string x = export_child(graph, *stem_, graph.reshape(graph.concat(parts, 1), {n * segments, c * length, h, w}));
  std::vector<std::string> maps;
  size_t k = 0;
  for (int64_t count : trunk_.blocks) {
    graph.push_scope("stages");
    for (int64_t b = 0; b < count; ++b) x = trunk_.stages->export_child(graph, *(*trunk_.stages)[k++], x);
    graph.pop_scope();
    maps.push_back(x);
  }
  size_t levels = options_.iapa_levels == 0 ? maps.size() : static_cast<size_t>(options_.iapa_levels);
  std::vector<std::string> pyramid(maps.end() - static_cast<std::ptrdiff_t>(levels), maps.end());
  std::string features = export_child(graph, *iapa_, pyramid);
  const int64_t width = graph.shape(features)[1];
  std::string per_snippet = graph.reshape(features, {n, segments, width});
  return export_child(graph, *fc_, graph.reduce("ReduceMean", per_snippet, {1}, false));
}


std::string VideoNet::extra_repr() const {
  std::string attention = options_.kind == VideoNetKind::tsn ? fmt::format(", segments={}x{}, iapa={}", options_.segments,
                                                               options_.snippet_frames, options_.iapa_channels)
                          : options_.nonlocal_mode.empty() ? ""
                                                           : fmt::format(", nonlocal={}x{}", options_.nonlocal_mode, options_.nonlocal_blocks);
  return fmt::format("{}, widths=[{}], strides=[{}], classes={}{}", name_of(options_.kind), fmt::join(options_.widths, ","),
                     fmt::join(options_.strides, ","), options_.num_classes, attention);
}

}  // namespace gaze
