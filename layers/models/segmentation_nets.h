// Semantic segmentation networks for images [N, C, H, W] (DANet's Table 1 at a small size): a
// dilated residual backbone of output stride 8 and an FCN or DANet head, with an auxiliary FCN
// head, every output resized to the input's H × W (bilinear, align_corners = false).
//
// Backbone (the dilated ResNet of DeepLab / DANet, one residual block per stage): a 3x3 stem
//   conv of stride 2 + BN + ReLU; the stages before the last two have stride 2 until the
//   stride is 8 (then 1); the last two keep stride 8 and dilate both their convs by 2 and 4,
//   as res4 and res5 of DANet's backbone. So widths needs 4 stages at least; with the default
//   four on 64×64 inputs the maps are 32, 16, 8, 8, 8.
//   At the paper's scale (`blocks`, `block: bottleneck`, `stem: imagenet | deep`; resnet_depth.h)
//   it is the dilated ResNet-50 of DANet / mmseg's FCN-D8: the stem (with its max pool) reaches
//   stride 4, res2 keeps it, res3 has stride 2, res4 and res5 stride 1 with dilation 2 and 4 in
//   their 3x3 convs; a dilated stage of several blocks starts with one at half the dilation (1 in
//   res4, 2 in res5), as DANet's code and mmseg's contract_dilation do. The FCN head's and DANet
//   head's inner width is in/4 = 512 on res5's 2048 channels, the auxiliary head's 256 on res4's 1024.
// Heads (on the last stage):
//   fcn    mmseg's FCNHead with one conv: 3x3 conv to in/4 + BN + ReLU, dropout 0.1, 1x1 conv.
//   danet  DualAttentionHead (danet.h) with the PAM and CAM branches switched by `position`
//          and `channel` (the rows of DANet's Table 1); its per-branch predictions are aux
//          outputs, as the authors' code trains them.
// aux_head: an FCN head on the first dilated stage (the third of the default four), as mmseg's
//   auxiliary_head on res4; its output is aux[0].
// stem_nonlocal: a Non-local block (2D, every position, attention_impl auto) on the stem's
//   output at stride 2, where its map is largest: on 256 × 256 inputs 128² positions, a 1 GiB map
//   per image that only the fused path keeps out of memory (docs/results.md).
#pragma once
#include <string>
#include <vector>

#include "layers/attention/danet.h"
#include "layers/models/residual_block.h"
#include "layers/models/resnet_depth.h"

namespace gaze {

struct SegmentationNetOptions {
  int64_t in_channels = 1, num_classes = 11;
  std::vector<int64_t> widths{16, 32, 64, 64};  // stages; the last two keep stride 8 and use dilation 2 and 4
  std::vector<int64_t> blocks;                  // residual blocks per stage; empty: one each
  BlockKind block = BlockKind::basic;           // bottleneck: stage outputs 4 · widths[i] (ResNet-50 and deeper)
  StemKind stem = StemKind::small;              // imagenet: 7x7/2 + max pool; deep: ResNetV1c's three 3x3 + max pool
  bool zero_init_residual = false;              // each block's last BN scale starts at 0
  std::string head = "fcn";                     // fcn | danet
  bool position = true, channel = true;         // danet: which branches (DANet Table 1 rows)
  bool aux_head = true;                         // an auxiliary FCN head on the third stage, as mmseg's auxiliary_head
  double dropout = 0.1;                         // before each 1x1 classifier (mmseg's dropout_ratio)
  std::string stem_nonlocal = "none";           // none, or the mode of a Non-local block after the stem
};

class SegmentationNet : public Module {
 public:
  explicit SegmentationNet(SegmentationNetOptions options);
  // All [N, classes, H, W] at the input's resolution: "out", then the auxiliary predictions in
  // this order, each present only when its part is on: "aux_head" (the auxiliary FCN head),
  // "position" (DANet's PAM branch), "channel" (its CAM branch).
  TensorDict forward_all(const std::vector<Tensor>& inputs) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  Tensor forward(const Tensor& x) override { return forward_all({x}).at("out"); }
  std::string type_name() const override { return "SegmentationNet"; }
  std::string extra_repr() const override;
  const SegmentationNetOptions& options() const { return options_; }
  // The backbone's output stride (8) and each stage's dilation, as built.
  int64_t output_stride() const { return output_stride_; }
  std::vector<int64_t> stage_dilations() const;

 private:
  SegmentationNetOptions options_;
  int64_t output_stride_ = 1;
  std::vector<int64_t> blocks_, dilations_;  // per stage: residual blocks (in order in stages_) and dilation
  std::shared_ptr<Sequential> stem_, stages_, fcn_head_, aux_head_;
  std::shared_ptr<Module> stem_nonlocal_;
  std::shared_ptr<DualAttentionHead> danet_head_;
};

}  // namespace gaze
