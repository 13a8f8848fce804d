// ResNet's Bottleneck block (He et al. 2016) as torchvision's v1.5, on 2D or 3D maps: a 1x1 conv
// reducing to `width`, a 3x3 conv carrying the stride and the dilation, a 1x1 conv expanding to
// 4 · width, each followed by BN (ReLU after the first two); the shortcut is a 1x1 conv (with the
// stride) + BN when the shape changes; then ReLU of the sum.
//
// In 3D (clips [N, C, T, H, W]) the 3x3 conv is 1x3x3 and `kernel1` inflates the first conv in
// time: {3, 1, 1} is the Non-local paper's I3D block ("3x1x1 in the first 1x1 of the block").
//
// `attention` goes on the residual branch after bn3 and before the addition: where the SE and
// CBAM papers put their modules in every bottleneck. `zero_init_last_bn` starts bn3's scale at 0,
// so that each block starts as the identity (Goyal et al. 2017; torchvision's zero_init_residual).
#pragma once
#include <vector>

#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/sequential.h"

namespace gaze {

struct BottleneckOptions {
  int dims = 2;                      // spatial dims of the maps: 2 or 3
  int64_t in = 0, width = 0;         // output channels: 4 · width
  std::vector<int64_t> stride{1};    // of the 3x3 conv and the shortcut: one value, or one per dim
  std::vector<int64_t> kernel1{1};   // the first conv's kernel ({3, 1, 1}: inflated in time)
  int64_t dilation = 1;              // of the 3x3 conv (padding keeps the size)
  bool zero_init_last_bn = false;
  std::shared_ptr<Module> attention = nullptr;  // on the residual branch; null for none

  static constexpr int64_t expansion = 4;
  int64_t out() const { return expansion * width; }
};

class Bottleneck : public Module {
 public:
  explicit Bottleneck(BottleneckOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return options_.dims == 3 ? "Bottleneck3d" : "Bottleneck"; }
  std::string extra_repr() const override;
  const BottleneckOptions& options() const { return options_; }

 private:
  BottleneckOptions options_;
  std::shared_ptr<Conv> conv1_, conv2_, conv3_;
  std::shared_ptr<BatchNorm> bn1_, bn2_, bn3_;
  std::shared_ptr<Sequential> shortcut_;  // null: identity
  std::shared_ptr<Module> attention_;     // null: none
};

}  // namespace gaze
