// Squeeze-and-Excitation (Hu et al., CVPR 2018): s = σ(W2 ReLU(W1 GAP(x))), y = x · s.
// `bias = false` gives the bias-free W1, W2 of the widely used SELayer
// (github.com/moskomule/senet.pytorch, se_module.py); the authors' Caffe models (hujie-frank/SENet)
// have biases, as gaze's default does.
#pragma once
#include "layers/attention/attention_map.h"
#include "layers/option_binder.h"
#include "layers/sequential.h"

namespace gaze {

struct SqueezeExcitationOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  bool bias = true;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("reduction", reduction, "hidden width = max(1, channels / reduction)");
    b.option("bias", bias, "biases in both FC layers (false: moskomule/senet.pytorch's SELayer)");
  }
};

class SqueezeExcitation : public Module, public AttentionMapRecorder {
 public:
  bool map_is_spatial() const override { return false; }
  explicit SqueezeExcitation(SqueezeExcitationOptions options);
  Tensor forward(const Tensor& x) override;  // x [N, C, *spatial]
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "SqueezeExcitation"; }
  std::string extra_repr() const override;
  OfficialNames official_names() const override;  // SELayer of moskomule/senet.pytorch
  const SqueezeExcitationOptions& options() const { return options_; }

 private:
  SqueezeExcitationOptions options_;
  std::shared_ptr<Sequential> fc_;  // Linear, ReLU, Linear, Sigmoid: names fc.0, fc.2 as in PyTorch
};

}  // namespace gaze
