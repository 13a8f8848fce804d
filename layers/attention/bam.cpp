#include "layers/attention/bam.h"

#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/simple_layers.h"

namespace gaze {

BAM::BAM(BAMOptions o) : options_(std::move(o)) {
  int64_t c = options_.channels, hidden = hidden_width("BAM", c, options_.reduction);
  int64_t d = options_.dilation;
  if (d < 1) fail("BAM: dilation must be positive, got {}", d);
  if (options_.combine != "product" && options_.combine != "sum")
    fail("BAM: unknown combine '{}'; choices: product (σ(Mc·Ms), the authors' code), sum (σ(Mc + Ms), the paper)",
         options_.combine);
  auto bn = [](int64_t channels) { return std::make_shared<BatchNorm>(BatchNormOptions{.channels = channels}); };
  channel_ = register_module("channel", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                            std::make_shared<Linear>(c, hidden), bn(hidden), std::make_shared<ReLU>(),
                                            std::make_shared<Linear>(hidden, c)}));
  spatial_ = register_module("spatial", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                            make_conv(2, c, hidden, 1), bn(hidden), std::make_shared<ReLU>(),
                                            make_conv(2, hidden, hidden, 3, 1, d, true, 1, d), bn(hidden), std::make_shared<ReLU>(),
                                            make_conv(2, hidden, hidden, 3, 1, d, true, 1, d), bn(hidden), std::make_shared<ReLU>(),
                                            make_conv(2, hidden, 1, 1)}));
}

Tensor BAM::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != 4 || x.shape()[1] != options_.channels)
    fail("BAM({}): expected input [N, {}, H, W], got {}", options_.channels, options_.channels,
         x.defined() ? shape_str(x.shape()) : "an undefined tensor");
  Tensor mc = reshape(channel_->forward(flatten(global_avg_pool(x), 1)), channel_gate_shape(x));  // [N, C, 1, 1]
  Tensor ms = spatial_->forward(x);                                                                // [N, 1, H, W]
  Tensor gate = sigmoid(options_.combine == "product" ? mc * ms : mc + ms);                        // [N, C, H, W]
  remember(gate);
  return x * (1.0 + gate);
}

std::string BAM::extra_repr() const {
  return fmt::format("{}, reduction={}, dilation={}, combine={}", options_.channels, options_.reduction, options_.dilation,
                     options_.combine);
}

}  // namespace gaze
