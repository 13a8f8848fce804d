// Fully connected layer: y = x Wᵀ + b over the last dim.
#pragma once
#include "layers/module.h"
#include "layers/option_binder.h"

namespace gaze {

struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;

  void declare(OptionBinder& b) {
    b.required("in_features", in_features, "input features");
    b.required("out_features", out_features, "output features");
    b.option("bias", bias, "learn a bias");
  }
};

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  explicit Linear(const LinearOptions& o) : Linear(o.in_features, o.out_features, o.bias) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  LinearOptions options() const { return {in_, out_, bias.defined()}; }
  Tensor weight, bias;

 private:
  int64_t in_, out_;
};

}  // namespace gaze
