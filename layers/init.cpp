#include "layers/init.h"

#include <cmath>

#include "autograd/elementwise.h"
#include "autograd/grad_mode.h"

namespace gaze::init {

Tensor default_uniform(const Shape& shape, int64_t fan_in, Generator* generator) {
  double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  return uniform(shape, -bound, bound, DType::f32, generator);
}

Tensor kaiming_normal_fan_out(const Shape& shape, Generator* generator) {
  int64_t fan_out = shape[0];
  for (size_t d = 2; d < shape.size(); ++d) fan_out *= shape[d];
  NoGradGuard no_grad;
  return randn(shape, DType::f32, generator) * std::sqrt(2.0 / static_cast<double>(fan_out));
}

}  // namespace gaze::init
