#include "layers/attention/coordinate_attention.h"

#include "autograd/ops.h"

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

OfficialNames CoordinateAttention::official_names() const {
  OfficialNames names("Andrew-Qibin/CoordAttention coordatt.py CoordAtt");
  names.add_weight_bias("conv1", "conv1");
  names.add_batch_norm("bn1", "bn1");
  names.add_weight_bias("conv_h", "conv_h");
  names.add_weight_bias("conv_w", "conv_w");
  return names;
}

}  // namespace gaze
