#include "trainers/lib/optim/sgd.h"

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

namespace gaze {

namespace {
void check_state_shape(const std::string& name, const Tensor& value, const Tensor& parameter, const std::string& where) {
  if (value.shape() != parameter.shape())
    fail("{} state: '{}' has shape {} but its parameter has {}: the checkpoint belongs to another model", where, name,
         shape_str(value.shape()), shape_str(parameter.shape()));
}
}  // namespace

std::vector<std::pair<std::string, Tensor>> SGD::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < buffers_.size(); ++i)
    if (buffers_[i].defined()) out.emplace_back("momentum." + std::to_string(i), buffers_[i]);
  return out;
}

void SGD::load_state(const std::vector<std::pair<std::string, Tensor>>& state) {
  std::vector<Tensor> buffers(parameters_.size());
  for (const auto& [name, value] : state) {
    size_t i = optimizer_state_index(name, "momentum", parameters_.size(), "SGD");
    check_state_shape(name, value, parameters_[i], "SGD");
    buffers[i] = clone(value.detach().to(parameters_[i].device()));
  }
  buffers_ = std::move(buffers);
}

}  // namespace gaze
