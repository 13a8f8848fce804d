#include "layers/attention/coordinate_attention.h"

#include "autograd/ops.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

CoordinateAttention::CoordinateAttention(CoordinateAttentionOptions o) : options_(o) {
  if (o.channels < 1) fail("CoordinateAttention: channels must be positive, got {}", o.channels);
  if (o.reduction < 1) fail("CoordinateAttention: reduction must be positive, got {}", o.reduction);
  int64_t mip = std::max<int64_t>(8, o.channels / o.reduction);
  conv1_ = register_module("conv1", make_conv(2, o.channels, mip, 1));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm>(BatchNormOptions{.channels = mip}));
  conv_h_ = register_module("conv_h", make_conv(2, mip, o.channels, 1));
  conv_w_ = register_module("conv_w", make_conv(2, mip, o.channels, 1));
}

Tensor CoordinateAttention::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != 4 || x.shape()[1] != options_.channels)
    fail("CoordinateAttention({}): expected input [N, {}, H, W], got {}", options_.channels, options_.channels,
         x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  int64_t h = x.shape()[2], w = x.shape()[3];
  Tensor pooled_h = mean(x, {3}, true);                   // [N, C, H, 1]
  Tensor pooled_w = transpose(mean(x, {2}, true), 2, 3);  // [N, C, W, 1]
  Tensor y = bn1_->forward(conv1_->forward(cat({pooled_h, pooled_w}, 2)));
  y = y * clamp(y + 3.0, 0.0, 6.0) / 6.0;  // h_swish
  Tensor a_h = sigmoid(conv_h_->forward(narrow(y, 2, 0, h)));                   // [N, C, H, 1]
  Tensor a_w = sigmoid(conv_w_->forward(transpose(narrow(y, 2, h, w), 2, 3)));  // [N, C, 1, W]
  if (records_attention()) remember(a_h * a_w);
  return x * a_h * a_w;
}

std::string CoordinateAttention::extra_repr() const { return fmt::format("{}, reduction={}", options_.channels, options_.reduction); }

// h_swish(t) = t · clamp(t + 3, 0, 6) / 6 = t · HardSigmoid(t) with α = 1/6, β = 1/2: OpenCV 4.6
// runs HardSigmoid but not Clip with its bounds as inputs (opset 11 and later).
std::string CoordinateAttention::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  const int64_t h = graph.shape(x)[2], w = graph.shape(x)[3];
  std::string pooled_h = graph.reduce("ReduceMean", x, {3}, true);
  std::string pooled_w = graph.transpose(graph.reduce("ReduceMean", x, {2}, true), {0, 1, 3, 2});
  std::string y = export_child(graph, *bn1_, export_child(graph, *conv1_, graph.concat({pooled_h, pooled_w}, 2)));
  y = graph.mul(y, graph.hard_sigmoid(y, 1.0 / 6.0, 0.5));
  std::string a_h = graph.sigmoid(export_child(graph, *conv_h_, graph.slice(y, 2, 0, h)));
  std::string a_w = graph.sigmoid(export_child(graph, *conv_w_, graph.transpose(graph.slice(y, 2, h, h + w), {0, 1, 3, 2})));
  return graph.mul(graph.mul(x, a_h), a_w);
}

OfficialNames CoordinateAttention::official_names() const {
  OfficialNames names("Andrew-Qibin/CoordAttention coordatt.py CoordAtt");
  names.add_weight_bias("conv1", "conv1");
  names.add_batch_norm("bn1", "bn1");
  names.add_weight_bias("conv_h", "conv_h");
  names.add_weight_bias("conv_w", "conv_w");
  return names;
}

}  // namespace gaze
