#include "layers/conv.h"

#include "framework/error.h"
#include "layers/init.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

Conv::Conv(ConvLayerOptions o) : options_(std::move(o)) {
  if (options_.dims < 1 || options_.dims > 3) fail("Conv: dims must be 1, 2 or 3, got {}", options_.dims);
  if (options_.in_channels < 1 || options_.out_channels < 1)
    fail("Conv{}d: in_channels and out_channels must be positive (got {} and {})", options_.dims, options_.in_channels,
         options_.out_channels);
  if (options_.groups < 1 || options_.in_channels % options_.groups || options_.out_channels % options_.groups)
    fail("Conv{}d: groups = {} must divide in_channels {} and out_channels {}", options_.dims, options_.groups,
         options_.in_channels, options_.out_channels);
  std::vector<int64_t> kernel = expand_param(options_.kernel, options_.dims, "Conv", "kernel");
  Shape shape{options_.out_channels, options_.in_channels / options_.groups};
  shape.insert(shape.end(), kernel.begin(), kernel.end());
  int64_t fan_in = numel(shape) / shape[0];
  weight = register_parameter("weight", init::default_uniform(shape, fan_in));
  if (options_.bias) bias = register_parameter("bias", init::default_uniform({options_.out_channels}, fan_in));
}

Tensor Conv::forward(const Tensor& x) {
  return conv(x, weight, bias, {options_.stride, options_.padding, options_.dilation, options_.groups});
}

std::string Conv::type_name() const { return fmt::format("Conv{}d", options_.dims); }

std::string Conv::extra_repr() const {
  return fmt::format("{}, {}, kernel=[{}], stride=[{}], padding=[{}]{}{}{}", options_.in_channels, options_.out_channels,
                     fmt::join(options_.kernel, ","), fmt::join(options_.stride, ","), fmt::join(options_.padding, ","),
                     options_.groups > 1 ? fmt::format(", groups={}", options_.groups) : "",
                     options_.dilation != std::vector<int64_t>{1} ? fmt::format(", dilation=[{}]", fmt::join(options_.dilation, ",")) : "",
                     options_.bias ? "" : ", bias=false");
}

std::shared_ptr<Conv> make_conv(int dims, int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding, bool bias,
                                int64_t groups, int64_t dilation) {
  return std::make_shared<Conv>(ConvLayerOptions{.in_channels = in,
                                                 .out_channels = out,
                                                 .kernel = {kernel},
                                                 .stride = {stride},
                                                 .padding = {padding},
                                                 .dilation = {dilation},
                                                 .groups = groups,
                                                 .bias = bias,
                                                 .dims = dims});
}

std::string Conv::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  return graph.conv(single_input(inputs), weight, bias, {options_.stride, options_.padding, options_.dilation, options_.groups});
}

}  // namespace gaze
