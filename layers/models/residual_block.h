// The residual block the task models share (video, segmentation, re-ID): ResNet's BasicBlock
// (conv-BN-ReLU-conv-BN plus the shortcut, then ReLU) on 2D or 3D maps, with a kernel per conv
// and a dilation, so one class gives:
//   2D 3x3                       C2D / TSN frames, the segmentation backbone's early stages
//   2D 3x3, dilation 2 or 4      the dilated stages of an output-stride-8 FCN (DeepLab / DANet)
//   3D 3x3x3 then 1x3x3          I3D's block: the first conv inflated in time (Wang et al. 2018)
//   3D 3x3x3 twice               the re-ID 3D CNN (Liao et al. 2018)
// The shortcut is a 1x1(x1) conv + BN when the shape changes, as resnet.h's BasicBlock.
#pragma once
#include <vector>

#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/sequential.h"

namespace gaze {

struct ResidualBlockOptions {
  int dims = 2;                      // spatial dims of the maps: 2 or 3
  int64_t in = 0, out = 0;
  std::vector<int64_t> stride{1};    // one value, or one per dim ({1, 2, 2}: space only)
  std::vector<int64_t> kernel1{3};   // conv1's kernel: one value or one per dim ({3, 3, 3})
  std::vector<int64_t> kernel2{3};   // conv2's kernel ({1, 3, 3}: per frame)
  int64_t dilation = 1;              // of both convs, on every dim (padding keeps the size)
  bool zero_init_last_bn = false;    // bn2's scale starts at 0: the block starts as the identity
};

class ResidualBlock : public Module {
 public:
  explicit ResidualBlock(ResidualBlockOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return options_.dims == 3 ? "ResidualBlock3d" : "ResidualBlock2d"; }
  std::string extra_repr() const override;
  const ResidualBlockOptions& options() const { return options_; }

 private:
  ResidualBlockOptions options_;
  std::shared_ptr<Conv> conv1_, conv2_;
  std::shared_ptr<BatchNorm> bn1_, bn2_;
  std::shared_ptr<Sequential> shortcut_;  // null: identity
};

// conv (kernel per dim, "same" padding for stride 1) + BN + ReLU: the models' stems.
std::shared_ptr<Sequential> make_conv_bn_relu(int dims, int64_t in, int64_t out, std::vector<int64_t> kernel,
                                         std::vector<int64_t> stride);

}  // namespace gaze
