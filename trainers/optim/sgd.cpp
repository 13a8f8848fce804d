#include "trainers/optim/sgd.h"

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

SGD::SGD(std::vector<Tensor> parameters, SGDOptions options)
    : parameters_(std::move(parameters)), buffers_(parameters_.size()), options_(options) {
  if (options.lr < 0 || options.momentum < 0 || options.weight_decay < 0)
    fail("SGD: lr, momentum and weight_decay must be >= 0 (got {}, {}, {})", options.lr, options.momentum, options.weight_decay);
  if (options.nesterov && options.momentum <= 0) fail("SGD: nesterov needs a positive momentum");
}

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor& p = parameters_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    if (options_.weight_decay != 0) g = g + p.detach() * options_.weight_decay;
    if (options_.momentum != 0) {
      Tensor& b = buffers_[i];
      b = b.defined() ? b * options_.momentum + g : clone(g);
      g = options_.nesterov ? g + b * options_.momentum : b;
    }
    p.copy_(p.detach() - g * options_.lr);
  }
}

void SGD::zero_grad() {
  for (Tensor& p : parameters_) p.zero_grad();
}

}  // namespace gaze
