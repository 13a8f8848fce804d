// Small residual networks for 28×28 inputs with an attention module after every block — the
// classification experiment's models and the bench's train_step_cbam_resnet.
//
// Stem: conv3x3 (in → widths[0]) + BN + ReLU; one BasicBlock per stage (widths, strides), each
// with the attention module; global average pool; Linear → classes. A BasicBlock is
// conv3x3-BN-ReLU-conv3x3-BN plus the shortcut (1x1 conv + BN when the shape changes), then ReLU.
//
// Where the attention module goes:
//   after_block  after each block's final ReLU: the bench's CBAM-ResNet (torch_ref.py), and BAM's
//                place (between stages, as the BAM paper puts it at each bottleneck)
//   residual     on the residual branch, after bn2 and before the addition: where the SE and CBAM
//                papers put their modules in every residual block
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/sequential.h"

namespace gaze {

class BasicBlock : public Module {
 public:
  // residual_attention: applied to the residual branch before the addition; null for none.
  BasicBlock(int64_t in, int64_t out, int64_t stride, std::shared_ptr<Module> residual_attention = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "BasicBlock"; }

 private:
  std::shared_ptr<Conv> conv1_, conv2_;
  std::shared_ptr<BatchNorm> bn1_, bn2_;
  std::shared_ptr<Sequential> shortcut_;  // null: identity
  std::shared_ptr<Module> attention_;     // null: none
};

enum class AttentionPlacement { after_block, residual };
AttentionPlacement parse_attention_placement(const std::string& text);

struct ResNetOptions {
  int64_t in_channels = 1;
  int64_t num_classes = 10;
  std::vector<int64_t> widths{32, 64, 128};
  std::vector<int64_t> strides{1, 2, 2};
  // Builds the attention module placed after each block, given its width; empty for none.
  std::function<std::shared_ptr<Module>(int64_t channels)> attention;
  AttentionPlacement placement = AttentionPlacement::after_block;
};

class ResNet : public Module {
 public:
  explicit ResNet(ResNetOptions options);
  Tensor forward(const Tensor& x) override;  // [N, in, H, W] → logits [N, classes]
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ResNet"; }
  std::string extra_repr() const override;

 private:
  ResNetOptions options_;
  std::shared_ptr<Sequential> stem_, stages_;
  std::shared_ptr<Linear> fc_;
};

}  // namespace gaze
