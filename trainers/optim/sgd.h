// Stochastic gradient descent with momentum, Nesterov momentum and weight decay, as
// torch.optim.SGD: g ← g + wd·p; b ← μ·b + g (b = g at the first step); step = g + μ·b
// (Nesterov) or b; p ← p − lr·step.
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

struct SGDOptions {
  double lr = 0.1;
  double momentum = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;
};

class SGD {
 public:
  SGD(std::vector<Tensor> parameters, SGDOptions options);
  // Updates every parameter that has a gradient; parameters without one are left alone.
  void step();
  void zero_grad();
  double lr() const { return options_.lr; }
  void set_lr(double lr) { options_.lr = lr; }
  // The momentum buffers (undefined before a parameter's first step), for checkpoints.
  std::vector<Tensor>& momentum_buffers() { return buffers_; }

 private:
  std::vector<Tensor> parameters_, buffers_;
  SGDOptions options_;
};

}  // namespace gaze
