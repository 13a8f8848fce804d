// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, as
// torch.optim.SGD: g ← g + wd·p; b ← μ·b + g (b = g at the first step); step = g + μ·b
// (Nesterov) or b; p ← p − lr·step.
#pragma once
#include <vector>

#include "framework/tensor.h"
#include "trainers/lib/optim/optimizer.h"

namespace gaze {

struct SGDOptions {
  double lr = 0.1;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> parameters, SGDOptions options);
  // Updates every parameter that has a gradient; parameters without one are left alone.
  void step() override;
  void zero_grad() override;
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }
  // "momentum.<i>": the momentum buffer of parameter i, once it has had a step.
  std::vector<std::pair<std::string, Tensor>> state() const override;
  void load_state(const std::vector<std::pair<std::string, Tensor>>& state) override;

 private:
  std::vector<Tensor> parameters_, buffers_;
  SGDOptions options_;
};

}  // namespace gaze
