#include "layers/attention/cbam.h"

#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/linear.h"
#include "layers/simple_layers.h"

namespace gaze {

ChannelGate::ChannelGate(ChannelGateOptions o) : options_(o) {
  int64_t hidden = hidden_width("ChannelGate", o.channels, o.reduction);
  mlp_ = register_module("mlp", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                    std::make_shared<Linear>(o.channels, hidden), std::make_shared<ReLU>(),
                                    std::make_shared<Linear>(hidden, o.channels)}));
}

Tensor ChannelGate::forward(const Tensor& x) {
  check_feature_map("ChannelGate", x, options_.channels);
  Tensor avg = flatten(global_avg_pool(x), 1), mx = flatten(global_max_pool(x), 1);
  Tensor gate = reshape(sigmoid(mlp_->forward(avg) + mlp_->forward(mx)), channel_gate_shape(x));
  remember(gate);
  return x * gate;
}

std::string ChannelGate::extra_repr() const { return fmt::format("{}, reduction={}", options_.channels, options_.reduction); }

SpatialGate::SpatialGate(SpatialGateOptions o) : options_(o) {
  if (o.kernel < 1 || o.kernel % 2 == 0) fail("SpatialGate: kernel must be odd and positive, got {}", o.kernel);
  conv_ = register_module("conv", make_conv(o.dims, 2, 1, o.kernel, 1, o.kernel / 2, /*bias=*/false));
}

Tensor SpatialGate::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != options_.dims + 2)
    fail("SpatialGate: expected input [N, C, {} spatial dims], got {}", options_.dims, x.defined() ? shape_str(x.shape()) : "undefined");
  Tensor pooled = cat({mean(x, {1}, true), max(x, {1}, true)}, 1);
  Tensor gate = sigmoid(conv_->forward(pooled));
  remember(gate);
  return x * gate;
}

std::string SpatialGate::extra_repr() const { return fmt::format("kernel={}", options_.kernel); }

CBAM::CBAM(CBAMOptions o) : options_(o) {
  if (!o.channel_gate && !o.spatial_gate) fail("CBAM: at least one of channel_gate and spatial_gate must be on");
  if (o.channel_gate) channel = register_module("channel", std::make_shared<ChannelGate>(ChannelGateOptions{o.channels, o.reduction}));
  if (o.spatial_gate) spatial = register_module("spatial", std::make_shared<SpatialGate>(SpatialGateOptions{o.spatial_kernel, o.dims}));
}

Tensor CBAM::forward(const Tensor& x) {
  check_feature_map("CBAM", x, options_.channels);
  Tensor y = channel ? channel->forward(x) : x;
  return spatial ? spatial->forward(y) : y;
}

std::string CBAM::extra_repr() const {
  return fmt::format("{}, reduction={}, spatial_kernel={}", options_.channels, options_.reduction, options_.spatial_kernel);
}

}  // namespace gaze
