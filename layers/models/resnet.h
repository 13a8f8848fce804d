// Residual networks for classification with an attention module in or after every block — the
// classification experiment's small models (28×28 inputs, one BasicBlock per stage) and, with
// `blocks`, `block` and the ImageNet stem, torchvision's ResNet-18 ... 152 (resnet_depth.h).
//
// Stem: conv3x3 (in → widths[0]) + BN + ReLU (small), or ImageNet's 7x7/2 conv + BN + ReLU + 3x3/2
// max pool; blocks[i] blocks per stage (the first carries the stage's stride); global average
// pool; Linear → classes. A BasicBlock is conv3x3-BN-ReLU-conv3x3-BN plus the shortcut (1x1 conv
// + BN when the shape changes), then ReLU; a Bottleneck is bottleneck.h's (output 4 · width).
// The blocks of all stages follow each other in `stages` (stages.0, stages.1, ...).
//
// Where the attention module goes:
//   after_block  after each block's final ReLU: the bench's CBAM-ResNet (torch_ref.py); with one
//                block per stage also BAM's place
//   after_stage  after the last block of every stage but the last: BAM's place ("at each
//                bottleneck of the network", between stages)
//   residual     on the residual branch, after the last BN and before the addition: where the SE
//                and CBAM papers put their modules in every residual block
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/models/resnet_depth.h"
#include "layers/sequential.h"

namespace gaze {

class BasicBlock : public Module {
 public:
  // residual_attention: applied to the residual branch before the addition; null for none.
  // zero_init_last_bn: bn2's scale starts at 0, the block at the identity.
  BasicBlock(int64_t in, int64_t out, int64_t stride, std::shared_ptr<Module> residual_attention = nullptr, bool zero_init_last_bn = false);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "BasicBlock"; }

 private:
  std::shared_ptr<Conv> conv1_, conv2_;
  std::shared_ptr<BatchNorm> bn1_, bn2_;
  std::shared_ptr<Sequential> shortcut_;  // null: identity
  std::shared_ptr<Module> attention_;     // null: none
};

enum class AttentionPlacement { after_block, after_stage, residual };
AttentionPlacement parse_attention_placement(const std::string& text);

struct ResNetOptions {
  int64_t in_channels = 1;
  int64_t num_classes = 10;
  std::vector<int64_t> widths{32, 64, 128};
  std::vector<int64_t> strides{1, 2, 2};
  std::vector<int64_t> blocks{};         // per stage; empty: one each
  BlockKind block = BlockKind::basic;    // bottleneck: each stage's output is 4 · widths[i]
  StemKind stem = StemKind::small;       // small | imagenet (deep: ResNetV1c's)
  bool zero_init_residual = false;       // each block's last BN scale starts at 0 (torchvision's option)
  // Builds the attention module placed after each block, given its width; empty for none.
  std::function<std::shared_ptr<Module>(int64_t channels)> attention;
  AttentionPlacement placement = AttentionPlacement::after_block;
};

class ResNet : public Module {
 public:
  explicit ResNet(ResNetOptions options);
  Tensor forward(const Tensor& x) override;  // [N, in, H, W] → logits [N, classes]
  int64_t feature_channels() const { return block_out_channels(options_.block, options_.widths.back()); }
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ResNet"; }
  std::string extra_repr() const override;

 private:
  ResNetOptions options_;
  std::shared_ptr<Sequential> stem_, stages_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace gaze
