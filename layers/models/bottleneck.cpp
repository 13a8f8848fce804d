#include "layers/models/bottleneck.h"

#include <fmt/ranges.h>

#include "autograd/ops.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

namespace {

// A bias-free conv with "same" padding (dilation · (k − 1) / 2 on each dim) for odd kernels.
std::shared_ptr<Conv> bottleneck_conv(int dims, int64_t in, int64_t out, const std::vector<int64_t>& kernel_spec,
                                      std::vector<int64_t> stride, int64_t dilation) {
  std::vector<int64_t> kernel = expand_param(kernel_spec, dims, "Bottleneck", "kernel");
  std::vector<int64_t> padding;
  for (int64_t k : kernel) padding.push_back(dilation * (k - 1) / 2);
  return std::make_shared<Conv>(ConvLayerOptions{.in_channels = in, .out_channels = out, .kernel = kernel, .stride = std::move(stride),
                                                 .padding = padding, .dilation = {dilation}, .bias = false, .dims = dims});
}

std::vector<int64_t> per_frame_3x3(int dims) { return dims == 3 ? std::vector<int64_t>{1, 3, 3} : std::vector<int64_t>{3}; }

}  // namespace

Bottleneck::Bottleneck(BottleneckOptions o) : options_(std::move(o)) {
  const int dims = options_.dims;
  if (dims != 2 && dims != 3) fail("Bottleneck: dims must be 2 or 3, got {}", dims);
  if (options_.in < 1 || options_.width < 1) fail("Bottleneck: in and width must be positive (got {} and {})", options_.in, options_.width);
  if (options_.dilation < 1) fail("Bottleneck: dilation must be positive, got {}", options_.dilation);
  const std::vector<int64_t> stride = expand_param(options_.stride, dims, "Bottleneck", "stride");
  const int64_t width = options_.width, out = options_.out();
  conv1_ = register_module("conv1", bottleneck_conv(dims, options_.in, width, options_.kernel1, {1}, 1));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(BatchNormOptions{.channels = width}));
  conv2_ = register_module("conv2", bottleneck_conv(dims, width, width, per_frame_3x3(dims), stride, options_.dilation));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm>(BatchNormOptions{.channels = width}));
  conv3_ = register_module("conv3", bottleneck_conv(dims, width, out, {1}, {1}, 1));
  bn3_ = register_module("bn3", std::make_shared<BatchNorm>(
                                    BatchNormOptions{.channels = out, .weight_init = options_.zero_init_last_bn ? 0.0 : 1.0}));
  bool strided = false;
  for (int64_t s : stride) strided = strided || s != 1;
  if (strided || options_.in != out)
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                                bottleneck_conv(dims, options_.in, out, {1}, stride, 1),
                                                std::make_shared<BatchNorm>(BatchNormOptions{.channels = out})}));
  if (options_.attention) attention_ = register_module("attention", options_.attention);
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = relu(bn2_->forward(conv2_->forward(out)));
  out = bn3_->forward(conv3_->forward(out));
  if (attention_) out = attention_->forward(out);
  return relu(out + (shortcut_ ? shortcut_->forward(x) : x));
}

std::string Bottleneck::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string out = graph.relu(export_child(graph, *bn1_, export_child(graph, *conv1_, x)));
  out = graph.relu(export_child(graph, *bn2_, export_child(graph, *conv2_, out)));
  out = export_child(graph, *bn3_, export_child(graph, *conv3_, out));
  if (attention_) out = export_child(graph, *attention_, out);
  return graph.relu(graph.add(out, shortcut_ ? export_child(graph, *shortcut_, x) : x));
}

std::string Bottleneck::extra_repr() const {
  return fmt::format("{} -> {} -> {}, stride=[{}], kernel1=[{}]{}{}", options_.in, options_.width, options_.out(),
                     fmt::join(options_.stride, ","), fmt::join(options_.kernel1, ","),
                     options_.dilation > 1 ? fmt::format(", dilation={}", options_.dilation) : "",
                     options_.zero_init_last_bn ? ", zero_init_last_bn" : "");
}

}  // namespace gaze
