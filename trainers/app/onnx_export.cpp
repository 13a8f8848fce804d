#include "trainers/app/onnx_export.h"

#include <algorithm>
#include <cmath>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/onnx/onnx_graph.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/npy.h"
#include "trainers/lib/io/onnx_file.h"

namespace gaze {

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (float v : t.to_vector<float>()) m = std::max(m, std::abs(static_cast<double>(v)));
  return m;
}

}  // namespace

OnnxExportReport export_onnx(Module& model, const Tensor& sample, const OnnxExportOptions& options) {
  if (sample.dtype() != DType::f32) fail("ONNX export: the sample input is {}; export an f32 model", dtype_name(sample.dtype()));
  model.eval();
  NoGradGuard no_grad;
  const Tensor expected = model.forward_all({sample}).at("out").to(Device::cpu());
  OnnxGraph graph;
  const std::string input = graph.add_input("input", sample.to(Device::cpu()));
  graph.add_output(model.export_onnx(graph, {input}), "output");

  OnnxExportReport report;
  report.input_shape = sample.shape();
  report.output_shape = graph.shape("output");
  if (report.output_shape != expected.shape())
    fail("ONNX export: internal: the graph's output is {} but the model's forward gives {} (please report)",
         shape_str(report.output_shape), shape_str(expected.shape()));
  report.max_difference = max_abs(graph.sample("output") - expected);
  report.max_output = max_abs(expected);
  if (!(report.max_difference <= 1e-3 * std::max(report.max_output, 1e-6)))
    fail("ONNX export: internal: the graph's output differs from the model's forward by up to {:.3g} (largest output {:.3g}); "
         "an export_onnx does not compute what its forward does (please report)",
         report.max_difference, report.max_output);
  if (options.fold_batch_norm) report.folded_batch_norms = graph.fold_batch_norms();
  for (const auto& node : graph.nodes()) ++report.op_counts[node.op_type];
  report.nodes = static_cast<int64_t>(graph.nodes().size());
  report.initializers = static_cast<int64_t>(graph.initializers().size());

  write_onnx_model(options.output, graph, options.graph_name, options.producer_version);
  if (!options.sample_dir.empty()) {
    create_directories_or_fail(options.sample_dir);
    write_npy(options.sample_dir + "/input.npy", sample.to(Device::cpu()));
    write_npy(options.sample_dir + "/output.npy", expected);
  }
  return report;
}

void draw_random_state(Module& model, uint64_t seed) {
  Generator generator(seed);
  NoGradGuard no_grad;
  for (auto& [name, tensor] : model.state_dict()) {
    if (!is_floating(tensor.dtype())) continue;
    const Shape& shape = tensor.shape();
    Tensor value;
    if (shape.size() >= 2) {
      const double bound = std::sqrt(3.0 * shape[0] / static_cast<double>(tensor.numel()));  // variance 1 / fan_in
      value = uniform(shape, -bound, bound, tensor.dtype(), &generator);
    } else if (ends_with(name, "running_var") || ends_with(name, "weight") || ends_with(name, "gamma")) {
      value = uniform(shape, 0.5, 1.5, tensor.dtype(), &generator);
    } else {  // biases, running means
      value = uniform(shape, -0.2, 0.2, tensor.dtype(), &generator);
    }
    tensor.copy_(value.to(tensor.device()));
  }
}

}  // namespace gaze
