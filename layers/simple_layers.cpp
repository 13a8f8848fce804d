#include "layers/simple_layers.h"

#include "autograd/elementwise.h"
#include "autograd/resample.h"
#include "autograd/shape_ops.h"
#include "framework/error.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope_); }
std::string LeakyReLU::extra_repr() const { return fmt::format("negative_slope={}", slope_); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

Tensor Pool::forward(const Tensor& x) { return kind_ == Kind::max ? max_pool(x, options_) : avg_pool(x, options_); }
std::string Pool::extra_repr() const {
  return fmt::format("kernel=[{}], stride=[{}], padding=[{}]{}", fmt::join(options_.kernel, ","),
                     fmt::join(options_.stride.empty() ? options_.kernel : options_.stride, ","),
                     fmt::join(options_.padding, ","), options_.ceil_mode ? ", ceil_mode" : "");
}

Tensor AdaptiveAvgPool::forward(const Tensor& x) { return adaptive_avg_pool(x, size_); }
std::string AdaptiveAvgPool::extra_repr() const { return fmt::format("[{}]", fmt::join(size_, ",")); }

Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training(), generator_); }
std::string Dropout::extra_repr() const { return fmt::format("p={}", p_); }

Tensor ChannelDropout::forward(const Tensor& x) { return channel_dropout(x, p_, is_training(), generator_); }
std::string ChannelDropout::extra_repr() const { return fmt::format("p={}", p_); }

Tensor Upsample::forward(const Tensor& x) { return interpolate(x, scaled_size(x, scale_), mode_, align_corners_); }
std::string Upsample::extra_repr() const { return fmt::format("scale={}, mode={}", scale_, mode_); }

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_); }

// The layers' ONNX nodes, as in evaluation mode: dropout is the identity there.
std::string Identity::export_onnx(OnnxGraph&, const std::vector<std::string>& inputs) const { return single_input(inputs); }
std::string Dropout::export_onnx(OnnxGraph&, const std::vector<std::string>& inputs) const { return single_input(inputs); }
std::string ChannelDropout::export_onnx(OnnxGraph&, const std::vector<std::string>& inputs) const { return single_input(inputs); }
std::string ReLU::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const { return graph.relu(single_input(inputs)); }
std::string LeakyReLU::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return graph.leaky_relu(single_input(inputs), slope_);
}
std::string Sigmoid::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const { return graph.sigmoid(single_input(inputs)); }
std::string Tanh::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const { return graph.tanh(single_input(inputs)); }

std::string Pool::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return kind_ == Kind::max ? graph.max_pool(single_input(inputs), options_) : graph.average_pool(single_input(inputs), options_);
}

std::string AdaptiveAvgPool::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  for (int64_t s : size_)
    if (s != 1) fail("ONNX export: {} (AdaptiveAvgPool to [{}]): only the global form (every size 1) has an ONNX export", graph.path(),
                     fmt::join(size_, ","));
  return graph.global_average_pool(x);
}

std::string Upsample::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  return graph.resize(x, scaled_size(graph.sample(x), scale_), mode_, align_corners_);
}

std::string Flatten::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  if (start_ == 1) return graph.flatten(x, 1);
  return graph.reshape(x, gaze::flatten(graph.sample(x), start_).shape());
}

}  // namespace gaze
