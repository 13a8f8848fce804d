// What the task models share to grow from one block per stage to the published ResNets: the
// block kind, blocks per stage, torchvision's `depth` table, I3D's inflation rules and the stems.
//
//   depth   block        blocks per stage   base widths          (torchvision's resnet18 ... 152)
//   18      basic        2, 2, 2, 2         64, 128, 256, 512
//   34      basic        3, 4, 6, 3         64, 128, 256, 512
//   50      bottleneck   3, 4, 6, 3         64, 128, 256, 512    (a stage's output: 4 · width)
//   101     bottleneck   3, 4, 23, 3        64, 128, 256, 512
//   152     bottleneck   3, 8, 36, 3        64, 128, 256, 512
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/option_binder.h"
#include "layers/sequential.h"

namespace gaze {

enum class BlockKind { basic, bottleneck };
const ChoiceNames& choice_names(BlockKind);

// Output channels of a block of base width `width`: width (basic) or 4 · width (bottleneck).
int64_t block_out_channels(BlockKind kind, int64_t width);

struct ResNetDepth {
  BlockKind block = BlockKind::basic;
  std::vector<int64_t> blocks, widths;
};
// The table above; any other depth is an error listing the valid ones.
ResNetDepth resnet_depth(int64_t depth);

// Blocks of each of `stages` stages: `blocks` itself (one entry per stage, each at least 1) or,
// when empty, one block per stage (the small models). Errors name `model`.
std::vector<int64_t> blocks_per_stage(const char* model, const std::vector<int64_t>& blocks, size_t stages);

// I3D's inflation of a 3D stage's blocks, one rule per stage: "all", "none", "even" (blocks 0,
// 2, 4, ...) or "odd" (1, 3, ...). The Non-local paper's I3D-ResNet-50 inflates every other block
// of res3 and res4 (mmaction2's i3d_r50: [all, even, even, odd]). An empty list inflates every
// block (the small I3D's rule). Errors name `model`.
void check_inflate_rules(const char* model, const std::vector<std::string>& rules, size_t stages);
bool inflated(const std::vector<std::string>& rules, size_t stage, int64_t block);

enum class StemKind { small, imagenet, deep };
const ChoiceNames& choice_names(StemKind);

// The ImageNet stems in 2D: `imagenet` is torchvision's 7x7/2 conv + BN + ReLU + 3x3/2 max pool
// (padding 3 and 1), `deep` is mmseg's ResNetV1c stem (three 3x3 convs, the first of stride 2,
// to out/2, out/2, out, each + BN + ReLU, then the 3x3/2 max pool). Both reduce H and W by 4.
std::shared_ptr<Sequential> make_imagenet_stem(StemKind kind, int64_t in, int64_t out);

// The stems of the Non-local paper's video ResNets on clips [N, C, T, H, W]: a t x 7 x 7 conv of
// stride (1, 2, 2) (t = 1 for C2D, 5 for I3D) + BN + ReLU, then a 1x3x3 max pool of stride
// (1, 2, 2): H and W reduced by 4, T kept (the 8-frame clips' setting; the paper's 32-frame
// clips also pool T by 2 here).
std::shared_ptr<Sequential> make_video_imagenet_stem(int64_t in, int64_t out, int64_t t);

// The Non-local paper's pool2: a 3x1x1 max pool of stride (2, 1, 1) after res2, halving T.
std::shared_ptr<Module> make_temporal_pool();

// Blocks of one 3D video stage, appended to `stages`: the first carries the spatial stride.
// basic: ResidualBlock with conv1 t x 3 x 3 (t = 3 where inflated) and conv2 `basic_kernel2`;
// bottleneck: Bottleneck with conv1 3x1x1 where inflated. `inflate_in_time` false: no block is
// inflated (C2D).
struct VideoStageOptions {
  BlockKind block = BlockKind::basic;
  int64_t in = 0, width = 0, stride = 1, blocks = 1;
  size_t stage = 0;
  bool inflate_in_time = false;
  std::vector<std::string> inflate;  // the rules of check_inflate_rules
  std::vector<int64_t> basic_kernel2{1, 3, 3};
  bool zero_init_residual = false;
};
void append_video_stage(Sequential& stages, const VideoStageOptions& options);

}  // namespace gaze
