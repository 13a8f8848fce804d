// Fully connected layer: y = x Wᵀ + b over the last dim.
#pragma once
#include "layers/module.h"

namespace gaze {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  Tensor weight, bias;

 private:
  int64_t in_, out_;
};

}  // namespace gaze
