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

namespace {

// True when one parameter's update can run as sgd_update_host: f32 arrays in host memory, each
// contiguous (a fresh gradient and momentum buffer always are).
bool sgd_host_update_applies(const Tensor& p, const Tensor& g, const Tensor& b) {
  auto host_f32 = [](const Tensor& t) {
    return t.device().is_cpu() && t.dtype() == DType::f32 && t.is_contiguous();
  };
  return host_f32(p) && host_f32(g) && (!b.defined() || host_f32(b));
}

// SGD::step's update of one parameter in one pass over its elements, with the float operations
// of the tensor expressions below in the same order, so both give the same bits: the tensor form
// costs five kernels and four temporaries per parameter, which on a small model's many small
// parameters is mostly per-call overhead. `buffer` is null without momentum; `first`: the buffer
// is new and takes the gradient.
void sgd_update_host(float* param, const float* grad, float* buffer, bool first, int64_t n, const SGDOptions& o) {
  float lr = static_cast<float>(o.lr), momentum = static_cast<float>(o.momentum),
        decay = static_cast<float>(o.weight_decay);
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i];
    if (o.weight_decay != 0) g = g + param[i] * decay;
    if (buffer) {
      float b = first ? g : buffer[i] * momentum + g;
      buffer[i] = b;
      g = o.nesterov ? g + b * momentum : b;
    }
    param[i] = param[i] - g * lr;
  }
}

}  // namespace

void SGD::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    Tensor& p = parameters_[i];
    Tensor g = p.grad();
    if (!g.defined()) continue;
    Tensor& b = buffers_[i];
    if (sgd_host_update_applies(p, g, b)) {
      bool first = options_.momentum != 0 && !b.defined();
      if (first) b = empty(p.shape(), p.dtype(), p.device());
      sgd_update_host(p.data<float>(), g.data<float>(), options_.momentum != 0 ? b.data<float>() : nullptr, first,
                      p.numel(), options_);
      continue;
    }
    if (options_.weight_decay != 0) g = g + p.detach() * options_.weight_decay;
    if (options_.momentum != 0) {
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
