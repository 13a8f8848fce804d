#include "layers/module.h"

#include <set>

#include "autograd/elementwise.h"
#include "autograd/grad_mode.h"
#include "framework/error.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

TensorDict Module::forward_all(const std::vector<Tensor>& inputs) { return {{"out", forward(single_input(inputs))}}; }

const Tensor& Module::single_input(const std::vector<Tensor>& inputs) const {
  if (inputs.size() != 1) fail("{}: takes one input, got {}", type_name(), inputs.size());
  return inputs[0];
}

const std::string& Module::single_input(const std::vector<std::string>& inputs) const {
  if (inputs.size() != 1) fail("{}: takes one input, got {}", type_name(), inputs.size());
  return inputs[0];
}

std::string Module::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  (void)inputs;
  fail("ONNX export: module '{}' ({}) has no ONNX export; docs/export.md lists the layers that have one and how to add it "
       "(Module::export_onnx beside the layer's forward)",
       graph.path().empty() ? "(the model)" : graph.path(), type_name());
}

std::string Module::export_child(OnnxGraph& graph, const Module& child, const std::vector<std::string>& inputs) const {
  for (const auto& [name, module] : children_) {
    if (module.get() != &child) continue;
    graph.push_scope(name);
    std::string out = child.export_onnx(graph, inputs);
    graph.pop_scope();
    return out;
  }
  fail("ONNX export: internal: {} at '{}' exports a {} that is not its registered submodule", type_name(), graph.path(), child.type_name());
}

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find('.') != std::string::npos)
    fail("{}: '{}' is not a valid member name (non-empty, no dots)", type_name(), name);
  for (const auto& [n, _] : parameters_)
    if (n == name) fail("{}: '{}' is already registered", type_name(), name);
  for (const auto& [n, _] : buffers_)
    if (n == name) fail("{}: '{}' is already registered", type_name(), name);
  for (const auto& [n, _] : children_)
    if (n == name) fail("{}: '{}' is already registered", type_name(), name);
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor) {
  check_new_name(name);
  if (!tensor.defined()) fail("{}: parameter '{}' is undefined", type_name(), name);
  tensor.set_requires_grad(true);
  parameters_.push_back({name, tensor});
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name);
  if (!tensor.defined()) fail("{}: buffer '{}' is undefined", type_name(), name);
  buffers_.push_back({name, tensor});
  return tensor;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name);
  if (!module) fail("{}: submodule '{}' is null", type_name(), name);
  children_.push_back({name, std::move(module)});
}

std::vector<std::pair<std::string, Tensor>> Module::named_parameters() const {
  std::vector<std::pair<std::string, Tensor>> out = parameters_;
  for (const auto& [name, child] : children_)
    for (auto& [sub, t] : child->named_parameters()) out.push_back({name + "." + sub, t});
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters()) out.push_back(t);
  return out;
}

std::vector<std::pair<std::string, Tensor>> Module::named_buffers() const {
  std::vector<std::pair<std::string, Tensor>> out = buffers_;
  for (const auto& [name, child] : children_)
    for (auto& [sub, t] : child->named_buffers()) out.push_back({name + "." + sub, t});
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (auto& [_, t] : named_parameters()) n += t.numel();
  return n;
}

std::map<std::string, Tensor> Module::state_dict() const {
  std::map<std::string, Tensor> out;
  for (auto& [name, t] : named_parameters()) out[name] = t;
  for (auto& [name, t] : named_buffers()) out[name] = t;
  return out;
}

void Module::load_state_dict(const std::map<std::string, Tensor>& state, bool strict) {
  std::map<std::string, Tensor> own = state_dict();
  std::vector<std::string> missing, unexpected;
  for (auto& [name, _] : own)
    if (!state.count(name)) missing.push_back(name);
  for (auto& [name, _] : state)
    if (!own.count(name)) unexpected.push_back(name);
  if (strict && (!missing.empty() || !unexpected.empty()))
    fail("load_state_dict for {}: missing keys [{}]; unexpected keys [{}] (pass strict = false to load the keys that match)",
         type_name(), fmt::join(missing, ", "), fmt::join(unexpected, ", "));
  // Every shape is checked before anything is copied: a state that does not fit changes nothing.
  for (auto& [name, target] : own) {
    auto it = state.find(name);
    if (it != state.end() && it->second.shape() != target.shape())
      fail("load_state_dict for {}: '{}' has shape {} in the state but {} in the module", type_name(), name,
           shape_str(it->second.shape()), shape_str(target.shape()));
  }
  NoGradGuard no_grad;
  for (auto& [name, target] : own) {
    auto it = state.find(name);
    if (it != state.end()) Tensor(target).copy_(it->second);
  }
}

OfficialNames Module::official_names() const {
  fail("{} has no official PyTorch counterpart in gaze, so there are no official names to load or write; layers that have "
       "them: se, cbam, bam, nonlocal, position_attention, channel_attention, danet_head, coord_attention (docs/official-weights.md)",
       type_name());
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
}

void Module::to(DType dtype) {
  for (auto& [_, t] : state_dict()) {
    if (t.dtype() == dtype || !is_floating(t.dtype())) continue;
    NoGradGuard no_grad;
    Tensor converted = to_dtype(t.detach(), dtype);
    TensorImpl* impl = t.impl();
    impl->storage = converted.storage();
    impl->shape = converted.shape();
    impl->strides = converted.strides();
    impl->offset = converted.offset();
    impl->dtype = dtype;
    impl->grad.reset();
  }
}

void Module::to(Device device) {
  for (auto& [_, t] : state_dict()) {
    if (t.device() == device) continue;
    Tensor moved = t.to(device);
    TensorImpl* impl = t.impl();
    impl->storage = moved.storage();
    impl->shape = moved.shape();
    impl->strides = moved.strides();
    impl->offset = moved.offset();
    if (impl->grad) impl->grad = Tensor(impl->grad).to(device).impl_ptr();
  }
}

void Module::zero_grad() {
  for (auto& [_, t] : named_parameters()) Tensor(t).zero_grad();
}

void Module::summary_lines(const std::string& name, int depth, std::string& out) const {
  std::string indent(2 * depth, ' ');
  std::string extra = extra_repr();
  out += fmt::format("{}{}{}({}) — {} parameters\n", indent, name.empty() ? "" : name + ": ", type_name(), extra,
                     num_parameters());
  for (const auto& [child_name, child] : children_) child->summary_lines(child_name, depth + 1, out);
}

std::string Module::summary() const {
  std::string out;
  summary_lines("", 0, out);
  return out;
}

}  // namespace gaze
