#include "layers/simple_layers.h"

#include "autograd/elementwise.h"
#include "autograd/resample.h"
#include "autograd/shape_ops.h"
#include "framework/error.h"

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

}  // namespace gaze
