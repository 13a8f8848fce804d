// Module: the base of every layer, in the style of libtorch's C++ frontend. A module owns
// parameters (trained), buffers (saved but not trained, e.g. running statistics) and
// submodules, each under a name; names compose into dotted paths ("layer2.0.cbam.fc1.weight")
// that state_dict() and checkpoints use.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "framework/error.h"
#include "framework/tensor.h"
#include "layers/official_names.h"
#include "layers/tensor_dict.h"

namespace gaze {

class OnnxGraph;

class Module {
 public:
  virtual ~Module() = default;

  // The layer's computation on one input, giving its main output.
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
  // The general form: inputs in order, outputs by name, the main one under "out". Modules with
  // several inputs (the pyramid attention: one map per scale) or several outputs (DANet's head:
  // its prediction and each branch's auxiliary one; a segmentation net's auxiliary heads; a
  // re-ID net's features beside its logits) override it. The default takes one input and
  // returns {"out": forward(x)}.
  virtual TensorDict forward_all(const std::vector<Tensor>& inputs);

  // The class name shown by summary() ("Conv2d", "CBAM"), and its options ("64, 64, k=3").
  virtual std::string type_name() const = 0;
  virtual std::string extra_repr() const { return ""; }

  // Parameters, buffers and submodules of this module and all below it, with dotted names, in
  // registration order.
  std::vector<std::pair<std::string, Tensor>> named_parameters() const;
  std::vector<Tensor> parameters() const;
  std::vector<std::pair<std::string, Tensor>> named_buffers() const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const { return children_; }
  int64_t num_parameters() const;

  // Parameters and buffers by dotted name.
  std::map<std::string, Tensor> state_dict() const;
  // Copies values into this module's tensors (shapes must match). Strict: every key of the
  // module must be given and no other; the error lists the missing and unexpected keys.
  void load_state_dict(const std::map<std::string, Tensor>& state, bool strict = true);

  void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }
  // Converts every parameter and buffer to `dtype` in place (f64 for gradient checks).
  void to(DType dtype);
  // Moves every parameter and buffer to `device` in place: the module's handles (and an
  // optimizer's, taken from parameters()) see the moved tensors. Gradients move with them.
  void to(Device device);
  void zero_grad();

  // The names of this layer's state in its authors' PyTorch code, for its current options
  // (layers/official_names.h; loaded and written by layers/official_weights.h). Layers with an
  // official counterpart override it next to their forward; the default fails with a message
  // naming the layer.
  virtual OfficialNames official_names() const;

  // Emits this module's computation, as in evaluation mode, into `graph` as standard ONNX ops
  // (layers/onnx/onnx_graph.h): `inputs` name the values forward_all takes, in order; the result
  // names the main output ("out"). Each layer writes it beside its forward, so the two change
  // together; the default fails naming the module's path in the model and its type.
  virtual std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const;

  // A registered submodule's export_onnx, its nodes named under its registered name.
  std::string export_child(OnnxGraph& graph, const Module& child, const std::vector<std::string>& inputs) const;
  std::string export_child(OnnxGraph& graph, const Module& child, const std::string& input) const {
    return export_child(graph, child, std::vector<std::string>{input});
  }

  // An indented tree of the modules with their options and parameter counts.
  std::string summary() const;

 protected:
  // inputs[0], or an error naming the layer when there is not exactly one input.
  const Tensor& single_input(const std::vector<Tensor>& inputs) const;
  // The one input name of export_onnx, or an error naming the layer.
  const std::string& single_input(const std::vector<std::string>& inputs) const;
  // Registers a trained tensor (marked requires_grad) and returns the module's handle to it.
  Tensor register_parameter(const std::string& name, Tensor tensor);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;
  void summary_lines(const std::string& name, int depth, std::string& out) const;

  bool training_ = true;
  std::vector<std::pair<std::string, Tensor>> parameters_;
  std::vector<std::pair<std::string, Tensor>> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
};

}  // namespace gaze
