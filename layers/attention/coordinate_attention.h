// Coordinate Attention (Hou, Zhou, Feng, "Coordinate Attention for Efficient Mobile Network
// Design", CVPR 2021), as in the authors' code (github.com/Andrew-Qibin/CoordAttention,
// coordatt.py).
//
// For x [N, C, H, W] and mip = max(8, C / reduction):
//   pooling     z_h = mean over W of x   [N, C, H, 1]     z_w = mean over H of x   [N, C, 1, W]
//   shared      f = h_swish(BN(Conv1x1(C→mip)([z_h; z_wᵀ])))   on the two joined along H: [N, mip, H+W, 1]
//               h_swish(t) = t · ReLU6(t + 3) / 6 = t · clamp(t + 3, 0, 6) / 6
//   split       f_h = f[:, :, :H]  [N, mip, H, 1]     f_w = f[:, :, H:]ᵀ  [N, mip, 1, W]
//   gates       a_h = σ(Conv1x1(mip→C)(f_h))  [N, C, H, 1]     a_w = σ(Conv1x1(mip→C)(f_w))  [N, C, 1, W]
//   output      y = x ⊙ a_h ⊙ a_w   (a_h and a_w broadcast to [N, C, H, W])
//
// The paper names the non-linearity only as δ; the authors' code uses h_swish, and so does this
// layer. All three convolutions have biases, as in that code. The reduction default, 32, and
// the floor of 8 on mip are the code's.
//
// The recorded attention map is a_h ⊙ a_w [N, C, H, W].
#pragma once
#include "layers/attention/attention_map.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/option_binder.h"

namespace gaze {

struct CoordinateAttentionOptions {
  int64_t channels = 0;
  int64_t reduction = 32;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("reduction", reduction, "hidden width mip = max(8, channels / reduction)");
  }
};

class CoordinateAttention : public Module, public AttentionMapRecorder {
 public:
  explicit CoordinateAttention(CoordinateAttentionOptions options);
  Tensor forward(const Tensor& x) override;  // x [N, C, H, W] -> [N, C, H, W]
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "CoordinateAttention"; }
  std::string extra_repr() const override;
  // Andrew-Qibin/CoordAttention coordatt.py CoordAtt with oup = inp: gaze already uses its names.
  OfficialNames official_names() const override;
  const CoordinateAttentionOptions& options() const { return options_; }

 private:
  CoordinateAttentionOptions options_;
  std::shared_ptr<Conv> conv1_, conv_h_, conv_w_;  // names conv1, conv_h, conv_w as in the authors' code
  std::shared_ptr<BatchNorm> bn1_;
};

}  // namespace gaze
