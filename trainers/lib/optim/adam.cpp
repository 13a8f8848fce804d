#include "trainers/lib/optim/adam.h"

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

namespace gaze {

std::vector<std::pair<std::string, Tensor>> Adam::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    if (steps_[i] == 0) continue;
    const std::string index = std::to_string(i);
    out.emplace_back("exp_avg." + index, m_[i]);
    out.emplace_back("exp_avg_sq." + index, v_[i]);
    out.emplace_back("step." + index, from_vector(std::vector<int64_t>{steps_[i]}, {1}));
  }
  return out;
}

void Adam::load_state(const std::vector<std::pair<std::string, Tensor>>& state) {
  const size_t n = parameters_.size();
  std::vector<Tensor> m(n), v(n);
  std::vector<int64_t> steps(n, 0);
  for (const auto& [name, value] : state) {
    const std::string prefix = name.substr(0, name.find('.'));
    if (prefix != "exp_avg" && prefix != "exp_avg_sq" && prefix != "step")
      fail("Adam state: unexpected entry '{}' (expected exp_avg.<i>, exp_avg_sq.<i> or step.<i>): the checkpoint was written by another optimizer", name);
    size_t i = optimizer_state_index(name, prefix, n, "Adam");
    if (prefix == "step") {
      if (value.numel() != 1) fail("Adam state: '{}' must hold one step count, holds {} values", name, value.numel());
      steps[i] = static_cast<int64_t>(value.item());
      continue;
    }
    if (value.shape() != parameters_[i].shape())
      fail("Adam state: '{}' has shape {} but its parameter has {}: the checkpoint belongs to another model", name,
           shape_str(value.shape()), shape_str(parameters_[i].shape()));
    (prefix == "exp_avg" ? m : v)[i] = clone(value.detach().to(parameters_[i].device()));
  }
  for (size_t i = 0; i < n; ++i)
    if (steps[i] > 0 && (!m[i].defined() || !v[i].defined()))
      fail("Adam state: parameter {} has a step count but no exp_avg/exp_avg_sq: the checkpoint is incomplete", i);
  m_ = std::move(m);
  v_ = std::move(v);
  steps_ = std::move(steps);
}

}  // namespace gaze
