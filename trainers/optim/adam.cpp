#include "trainers/optim/adam.h"

#include <cmath>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

Adam::Adam(std::vector<Tensor> parameters, AdamOptions options)
    : parameters_(std::move(parameters)), m_(parameters_.size()), v_(parameters_.size()), steps_(parameters_.size(), 0), options_(options) {
  if (options.lr < 0 || options.eps < 0 || options.weight_decay < 0)
    fail("Adam: lr, eps and weight_decay must be >= 0 (got {}, {}, {})", options.lr, options.eps, options.weight_decay);
  if (options.beta1 < 0 || options.beta1 >= 1 || options.beta2 < 0 || options.beta2 >= 1)
    fail("Adam: betas must be in [0, 1) (got {}, {})", options.beta1, options.beta2);
}

void Adam::step() {
  NoGradGuard no_grad;
  const AdamOptions& o = options_;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor& p = parameters_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    Tensor value = p.detach();
    if (o.weight_decay != 0) {
      if (o.decoupled) value = value * (1.0 - o.lr * o.weight_decay);
      else g = g + value * o.weight_decay;
    }
    int64_t t = ++steps_[i];
    m_[i] = m_[i].defined() ? m_[i] * o.beta1 + g * (1.0 - o.beta1) : g * (1.0 - o.beta1);
    v_[i] = v_[i].defined() ? v_[i] * o.beta2 + square(g) * (1.0 - o.beta2) : square(g) * (1.0 - o.beta2);
    double bias1 = 1.0 - std::pow(o.beta1, static_cast<double>(t));
    double bias2 = 1.0 - std::pow(o.beta2, static_cast<double>(t));
    Tensor denominator = sqrt(v_[i] / bias2) + o.eps;
    p.copy_(value - (m_[i] / denominator) * (o.lr / bias1));
  }
}

void Adam::zero_grad() {
  for (Tensor& p : parameters_) p.zero_grad();
}

}  // namespace gaze
