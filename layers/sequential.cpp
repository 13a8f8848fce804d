#include "layers/sequential.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) {
  for (const auto& m : modules) push_back(m);
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& m : modules_) y = m->forward(y);
  return y;
}

std::string Sequential::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string y = single_input(inputs);
  for (const auto& m : modules_) y = export_child(graph, *m, y);
  return y;
}

}  // namespace gaze
