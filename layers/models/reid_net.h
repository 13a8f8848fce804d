// Video person re-identification network for tracklets [N, C, T, H, W]: a 3D CNN with temporal
// average pooling, optionally with Non-local blocks (Liao, He, Zhang, Yu & Jiang, ACCV 2018,
// "Video-based person re-identification via 3D convolutional networks and non-local attention").
//
// Backbone: a 3x3x3 stem conv (spatial stride `stem_stride`) + BN + ReLU, then one 3D residual
//   block per stage with 3x3x3 convs (spatial strides only: T stays whole for the pooling).
// Non-local: space-time blocks placed as Wang et al.'s (nonlocal_insertion.h), which Liao et
//   al. take over into their 3D ResNet; registered as `stage{s}_nonlocal.{j}`, after every other
//   layer, so that with the same seed a net with blocks starts as the baseline.
// At the paper's scale (`blocks`, `block: bottleneck`, `stem: imagenet`, `inflate`; resnet_depth.h)
//   the backbone is the I3D ResNet-50 of video_nets.h (Bottlenecks [3, 4, 6, 3], conv1 3x1x1 in
//   the inflated blocks), usually with strides [1, 2, 2, 1] (the re-ID "last stride 1").
// Feature: the average over T, H and W of the last map — spatial pooling per frame and the
//   temporal average pooling of the paper are one mean — a D-vector, D = widths.back().
// BN-neck (Luo et al., "Bag of Tricks", 2019, as torchreid): the feature goes through a
//   BatchNorm1d and a bias-free Linear gives the identity logits. The triplet loss and retrieval
//   use the feature before the BN (BoT's triplet feature); the BN's bias is trained (BoT freezes
//   it — a detail left out).
#pragma once
#include <string>
#include <vector>

#include "layers/linear.h"
#include "layers/models/nonlocal_stages.h"
#include "layers/models/residual_block.h"
#include "layers/models/resnet_depth.h"

namespace gaze {

struct ReidNetOptions {
  int64_t in_channels = 3;
  int64_t num_identities = 100;
  std::vector<int64_t> widths{16, 32, 64};
  std::vector<int64_t> strides{1, 2, 2};  // spatial strides of the stages
  int64_t stem_stride = 2;                // spatial stride of the stem
  std::vector<int64_t> blocks;            // residual blocks per stage; empty: one each
  BlockKind block = BlockKind::basic;     // bottleneck: the feature is 4 · widths.back() (2048 for ResNet-50)
  StemKind stem = StemKind::small;        // imagenet: 5x7x7 / (1, 2, 2) conv + 1x3x3 max pool, as the I3D video net
  std::vector<std::string> inflate;       // per stage all | none | even | odd (resnet_depth.h); empty: all
  bool temporal_pool = false;             // the 3x1x1 max pool of stride 2 in T after the first stage
  bool zero_init_residual = false;        // each block's last BN scale starts at 0
  std::string nonlocal_mode;              // "" none, else gaussian | embedded_gaussian | dot_product | concatenation
  int64_t nonlocal_blocks = 1;
  bool nonlocal_sub_sample = true;
  bool bn_neck = true;                    // BatchNorm1d between the feature and the classifier
};

class VideoReidNet : public Module {
 public:
  explicit VideoReidNet(ReidNetOptions options);
  // A tracklet [N, C, T, H, W] to "out": features [N, D], for the triplet loss and for
  // retrieval, and "logits" [N, identities], for the cross entropy over training identities.
  TensorDict forward_all(const std::vector<Tensor>& inputs) override;
  Tensor forward(const Tensor& x) override { return forward_all({x}).at("out"); }  // for evaluation
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "VideoReidNet"; }
  std::string extra_repr() const override;
  const ReidNetOptions& options() const { return options_; }
  int64_t feature_dim() const { return block_out_channels(options_.block, options_.widths.back()); }

 private:
  ReidNetOptions options_;
  std::shared_ptr<Sequential> stem_;
  NonlocalStages trunk_;            // the stages with their Non-local blocks and temporal pooling
  std::shared_ptr<Module> neck_;    // null without the BN-neck
  std::shared_ptr<Linear> classifier_;
};

}  // namespace gaze
