#include "layers/models/residual_block.h"

#include "autograd/ops.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

namespace {

// "Same" padding for odd kernels: dilation · (k − 1) / 2 on each dim.
std::vector<int64_t> same_padding(const std::vector<int64_t>& kernel, int64_t dilation) {
  std::vector<int64_t> padding;
  for (int64_t k : kernel) padding.push_back(dilation * (k - 1) / 2);
  return padding;
}

std::shared_ptr<Conv> conv(int dims, int64_t in, int64_t out, std::vector<int64_t> kernel, std::vector<int64_t> stride,
                           int64_t dilation) {
  kernel = expand_param(kernel, dims, "ResidualBlock", "kernel");
  std::vector<int64_t> padding = same_padding(kernel, dilation);
  return std::make_shared<Conv>(ConvLayerOptions{.in_channels = in, .out_channels = out, .kernel = kernel, .stride = std::move(stride),
                                                 .padding = padding, .dilation = {dilation}, .bias = false, .dims = dims});
}

}  // namespace

ResidualBlock::ResidualBlock(ResidualBlockOptions o) : options_(std::move(o)) {
  if (options_.dims != 2 && options_.dims != 3) fail("ResidualBlock: dims must be 2 or 3, got {}", options_.dims);
  if (options_.in < 1 || options_.out < 1) fail("ResidualBlock: in and out must be positive (got {} and {})", options_.in, options_.out);
  if (options_.dilation < 1) fail("ResidualBlock: dilation must be positive, got {}", options_.dilation);
  std::vector<int64_t> stride = expand_param(options_.stride, options_.dims, "ResidualBlock", "stride");
  conv1_ = register_module("conv1", conv(options_.dims, options_.in, options_.out, options_.kernel1, stride, options_.dilation));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(BatchNormOptions{.channels = options_.out}));
  conv2_ = register_module("conv2", conv(options_.dims, options_.out, options_.out, options_.kernel2, {1}, options_.dilation));
  bn2_ = register_module("bn2", std::make_shared<BatchNorm>(
                                    BatchNormOptions{.channels = options_.out, .weight_init = options_.zero_init_last_bn ? 0.0 : 1.0}));
  bool strided = false;
  for (int64_t s : stride) strided = strided || s != 1;
  if (strided || options_.in != options_.out)
    shortcut_ = register_module("shortcut", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                                conv(options_.dims, options_.in, options_.out, {1}, stride, 1),
                                                std::make_shared<BatchNorm>(BatchNormOptions{.channels = options_.out})}));
}

Tensor ResidualBlock::forward(const Tensor& x) {
  Tensor out = relu(bn1_->forward(conv1_->forward(x)));
  out = bn2_->forward(conv2_->forward(out));
  return relu(out + (shortcut_ ? shortcut_->forward(x) : x));
}

std::string ResidualBlock::extra_repr() const {
  return fmt::format("{} -> {}, stride=[{}], kernels=[{}]/[{}]{}", options_.in, options_.out, fmt::join(options_.stride, ","),
                     fmt::join(options_.kernel1, ","), fmt::join(options_.kernel2, ","),
                     options_.dilation > 1 ? fmt::format(", dilation={}", options_.dilation) : "");
}

std::string ResidualBlock::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string out = graph.relu(export_child(graph, *bn1_, export_child(graph, *conv1_, x)));
  out = export_child(graph, *bn2_, export_child(graph, *conv2_, out));
  return graph.relu(graph.add(out, shortcut_ ? export_child(graph, *shortcut_, x) : x));
}

std::shared_ptr<Sequential> make_conv_bn_relu(int dims, int64_t in, int64_t out, std::vector<int64_t> kernel, std::vector<int64_t> stride) {
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      conv(dims, in, out, std::move(kernel), std::move(stride), 1), std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}),
      std::make_shared<ReLU>()});
}

}  // namespace gaze
