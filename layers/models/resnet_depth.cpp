#include "layers/models/resnet_depth.h"

#include <fmt/ranges.h>

#include "framework/error.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/models/bottleneck.h"
#include "layers/models/residual_block.h"
#include "layers/simple_layers.h"

namespace gaze {

const ChoiceNames& choice_names(BlockKind) {
  static const ChoiceNames names{"ResNet", "block", "blocks", {{"basic", ""}, {"bottleneck", ""}}};
  return names;
}

const ChoiceNames& choice_names(StemKind) {
  static const ChoiceNames names{
      "ResNet", "stem", "stems", {{"small", "(the model's own)"}, {"imagenet", "(7x7/2 + max pool)"}, {"deep", "(ResNetV1c)"}}};
  return names;
}

int64_t block_out_channels(BlockKind kind, int64_t width) { return kind == BlockKind::bottleneck ? 4 * width : width; }

ResNetDepth resnet_depth(int64_t depth) {
  const std::vector<int64_t> widths{64, 128, 256, 512};
  switch (depth) {
    case 18: return {BlockKind::basic, {2, 2, 2, 2}, widths};
    case 34: return {BlockKind::basic, {3, 4, 6, 3}, widths};
    case 50: return {BlockKind::bottleneck, {3, 4, 6, 3}, widths};
    case 101: return {BlockKind::bottleneck, {3, 4, 23, 3}, widths};
    case 152: return {BlockKind::bottleneck, {3, 8, 36, 3}, widths};
    default: fail("ResNet: unknown depth {}; depths: 18, 34, 50, 101, 152 (or 0 with widths, blocks and block given)", depth);
  }
}

std::vector<int64_t> blocks_per_stage(const char* model, const std::vector<int64_t>& blocks, size_t stages) {
  if (blocks.empty()) return std::vector<int64_t>(stages, 1);
  if (blocks.size() != stages)
    fail("{}: blocks has {} entries ([{}]) for {} stages: one block count per stage (or [] for one block each)", model, blocks.size(),
         fmt::join(blocks, ", "), stages);
  for (size_t i = 0; i < blocks.size(); ++i)
    if (blocks[i] < 1) fail("{}: blocks[{}] must be at least 1, got {}", model, i, blocks[i]);
  return blocks;
}

void check_inflate_rules(const char* model, const std::vector<std::string>& rules, size_t stages) {
  if (rules.empty()) return;
  if (rules.size() != stages)
    fail("{}: inflate has {} entries for {} stages: one rule per stage (all, none, even, odd), or [] to inflate every block", model,
         rules.size(), stages);
  for (size_t i = 0; i < rules.size(); ++i)
    if (rules[i] != "all" && rules[i] != "none" && rules[i] != "even" && rules[i] != "odd")
      fail("{}: inflate[{}] is '{}'; rules: all, none, even (blocks 0, 2, ...), odd (blocks 1, 3, ...)", model, i, rules[i]);
}

bool inflated(const std::vector<std::string>& rules, size_t stage, int64_t block) {
  if (rules.empty()) return true;
  const std::string& rule = rules[stage];
  return rule == "all" || (rule == "even" && block % 2 == 0) || (rule == "odd" && block % 2 == 1);
}

namespace {

void stem_conv_bn_relu_2d(Sequential& stem, int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  stem.push_back(make_conv(2, in, out, kernel, stride, kernel / 2, /*bias=*/false));
  stem.push_back(std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}));
  stem.push_back(std::make_shared<ReLU>());
}

}  // namespace

std::shared_ptr<Sequential> make_imagenet_stem(StemKind kind, int64_t in, int64_t out) {
  if (kind == StemKind::small) fail("make_imagenet_stem: the small stem is each model's own");
  auto stem = std::make_shared<Sequential>();
  if (kind == StemKind::imagenet) {
    stem_conv_bn_relu_2d(*stem, in, out, 7, 2);
  } else {
    stem_conv_bn_relu_2d(*stem, in, out / 2, 3, 2);
    stem_conv_bn_relu_2d(*stem, out / 2, out / 2, 3, 1);
    stem_conv_bn_relu_2d(*stem, out / 2, out, 3, 1);
  }
  stem->push_back(std::make_shared<Pool>(Pool::Kind::max, PoolOptions{.kernel = {3}, .stride = {2}, .padding = {1}}));
  return stem;
}

std::shared_ptr<Sequential> make_video_imagenet_stem(int64_t in, int64_t out, int64_t t) {
  auto stem = std::make_shared<Sequential>();
  stem->push_back(std::make_shared<Conv>(ConvLayerOptions{.in_channels = in, .out_channels = out, .kernel = {t, 7, 7}, .stride = {1, 2, 2},
                                                          .padding = {t / 2, 3, 3}, .bias = false, .dims = 3}));
  stem->push_back(std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}));
  stem->push_back(std::make_shared<ReLU>());
  stem->push_back(std::make_shared<Pool>(Pool::Kind::max, PoolOptions{.kernel = {1, 3, 3}, .stride = {1, 2, 2}, .padding = {0, 1, 1}}));
  return stem;
}

std::shared_ptr<Module> make_temporal_pool() {
  return std::make_shared<Pool>(Pool::Kind::max, PoolOptions{.kernel = {3, 1, 1}, .stride = {2, 1, 1}, .padding = {1, 0, 0}});
}

void append_video_stage(Sequential& stages, const VideoStageOptions& o) {
  int64_t in = o.in;
  const int64_t out = block_out_channels(o.block, o.width);
  for (int64_t b = 0; b < o.blocks; ++b) {
    const int64_t s = b == 0 ? o.stride : 1;
    const bool in_time = o.inflate_in_time && inflated(o.inflate, o.stage, b);
    if (o.block == BlockKind::basic)
      stages.push_back(std::make_shared<ResidualBlock>(ResidualBlockOptions{.dims = 3, .in = in, .out = out, .stride = {1, s, s},
                                                                            .kernel1 = {in_time ? 3 : 1, 3, 3}, .kernel2 = o.basic_kernel2,
                                                                            .zero_init_last_bn = o.zero_init_residual}));
    else
      stages.push_back(std::make_shared<Bottleneck>(BottleneckOptions{.dims = 3, .in = in, .width = o.width, .stride = {1, s, s},
                                                                      .kernel1 = in_time ? std::vector<int64_t>{3, 1, 1} : std::vector<int64_t>{1},
                                                                      .zero_init_last_bn = o.zero_init_residual}));
    in = out;
  }
}

}  // namespace gaze
