// Action-recognition networks for clips [N, C, T, H, W] (the Non-local paper's Table 2 and the
// interaction-aware pyramid attention, at a size two CPU cores train in minutes).
//
// Backbone shared by every kind: a stem conv (1x3x3, 3x3x3 for i3d, 3x3 for tsn; spatial stride
// `stem_stride`) + BN + ReLU, then one residual block per stage (widths, spatial strides; never
// a temporal stride). At the paper's scale (`blocks`, `block: bottleneck`, `stem: imagenet`,
// `inflate`, `temporal_pool`; resnet_depth.h) it is the Non-local paper's ResNet-50 C2D / I3D:
// blocks [3, 4, 6, 3] of Bottlenecks, a 1x7x7 (c2d) or 5x7x7 (i3d) stem with a max pool, i3d's
// first conv of every other block inflated to 3x1x1, the 3x1x1 temporal max pool after res2.
//
//   c2d  Wang et al.'s C2D baseline: every kernel is 1x3x3, i.e. a 2D conv applied to each
//        frame; time is mixed only by the Non-local blocks and by the global average pool over
//        T, H, W at the end, then a Linear classifier. 1x3x3 3D convs on [N, C, T, H, W] rather
//        than 2D convs on frames folded into the batch ([N·T, C, H, W]): the same arithmetic,
//        as fast on oneDNN and faster on OpenBLAS (one im2col GEMM per clip instead of one per
//        frame; docs/backends.md); it also needs no fold/unfold copies around the Non-local
//        blocks and shares its code with I3D.
//   i3d  Wang et al.'s I3D: the same net with the stem and each block's first conv inflated to
//        3x3x3 (the second stays 1x3x3).
//   tsn  Temporal segment network (Wang et al. 2016) with the interaction-aware pyramid
//        attention (Du et al. 2018): the T frames are split into `segments` equal segments; the
//        `snippet_frames` frames at each segment's centre are stacked on the channels (as TSN
//        stacks its flow / RGB-difference frames) and go through the shared 2D backbone. The
//        last `iapa_levels` stages' maps form the pyramid of an
//        InteractionAwarePyramidAttention (grid of the earliest of them; 2 levels by default:
//        the third level's 16x16 grid more than doubled the step time), giving one feature per
//        snippet; the segmental consensus averages them, a Linear classifies. Averaging
//        features before the classifier equals TSN's averaging of class scores (it is linear).
//
// Non-local blocks (c2d, i3d; nonlocal_insertion.h says where): space-time blocks on
// [N, C, T, H, W], registered as `stage{s}_nonlocal.{j}`, after every backbone layer so that
// with the same seed a net with blocks starts with the baseline's weights and outputs.
#pragma once
#include <string>
#include <vector>

#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/linear.h"
#include "layers/models/nonlocal_stages.h"
#include "layers/models/residual_block.h"
#include "layers/models/resnet_depth.h"

namespace gaze {

// The backbone: c2d, i3d (3D convolutions), tsn (snippets fused by the pyramid attention).
enum class VideoNetKind { c2d, i3d, tsn };
const ChoiceNames& choice_names(VideoNetKind);

struct VideoNetOptions {
  VideoNetKind kind = VideoNetKind::c2d;
  int64_t in_channels = 1, num_classes = 8;
  std::vector<int64_t> widths{16, 32, 64};    // one residual stage each
  std::vector<int64_t> strides{1, 2, 2};      // spatial strides of the stages
  std::vector<int64_t> blocks;                // residual blocks per stage; empty: one each
  BlockKind block = BlockKind::basic;         // bottleneck: stage outputs 4 · widths[i] (ResNet-50 and deeper)
  StemKind stem = StemKind::small;            // imagenet: t x 7 x 7 / (1, 2, 2) conv + 1x3x3 max pool (t: 1 c2d, 5 i3d)
  std::vector<std::string> inflate;           // i3d: per stage all | none | even | odd (resnet_depth.h); empty: all
  bool temporal_pool = false;                 // c2d, i3d: the paper's 3x1x1 max pool of stride 2 in T after the first stage
  bool zero_init_residual = false;            // each block's last BN scale starts at 0
  int64_t stem_stride = 2;                    // spatial stride of the stem (ResNet's stem downsamples)
  std::string nonlocal_mode;                  // "" none, else gaussian | embedded_gaussian | dot_product | concatenation
  int64_t nonlocal_blocks = 1;                // 1: after the second-to-last stage; k > 1: see nonlocal_insertion.h
  bool nonlocal_sub_sample = true;            // max-pool φ and g by (1, 2, 2), as the paper
  int64_t segments = 4;                       // tsn: snippets per clip
  int64_t snippet_frames = 2;                 // tsn: frames per snippet, stacked on the channels
  int64_t iapa_channels = 32;                 // tsn: the pyramid attention's common width
  int64_t iapa_levels = 2;                    // tsn: how many of the last stages form the pyramid; 0: all
};

class VideoNet : public Module {
 public:
  explicit VideoNet(VideoNetOptions options);
  Tensor forward(const Tensor& clip) override;  // [N, C, T, H, W] → logits [N, classes]
  // "out": the logits; tsn also "interaction_loss" and "diversity_loss", the pyramid attention's
  // losses of this forward, to be weighted and added to the task loss before backward.
  TensorDict forward_all(const std::vector<Tensor>& inputs) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  // tsn only (else a gaze::Error): the pyramid attention's losses of the last forward
  // (interaction_aware_pyramid.h).
  Tensor interaction_loss() const;
  Tensor diversity_loss() const;
  std::string type_name() const override { return "VideoNet"; }
  std::string extra_repr() const override;
  const VideoNetOptions& options() const { return options_; }

 private:
  Tensor forward_volume(const Tensor& clip);    // c2d, i3d
  Tensor forward_segments(const Tensor& clip);  // tsn
  Tensor snippets(const Tensor& clip) const;    // [N, C, T, H, W] → [N·segments, C·snippet_frames, H, W]
  int64_t stage_channels(size_t stage) const { return block_out_channels(options_.block, options_.widths[stage]); }
  const InteractionAwarePyramidAttention& iapa(const char* loss) const;

  VideoNetOptions options_;
  std::shared_ptr<Sequential> stem_;
  NonlocalStages trunk_;  // the stages (tsn: 2D ones, without Non-local blocks or temporal pooling)
  std::shared_ptr<InteractionAwarePyramidAttention> iapa_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace gaze
