#include "layers/attention/gate_support.h"

namespace gaze {

int64_t hidden_width(const char* layer, int64_t channels, int64_t reduction) {
  if (channels < 1) fail("{}: channels must be positive, got {}", layer, channels);
  if (reduction < 1) fail("{}: reduction must be positive, got {}", layer, reduction);
  return std::max<int64_t>(1, channels / reduction);
}

void check_feature_map(const char* layer, const Tensor& x, int64_t channels) {
  if (!x.defined() || x.dim() < 3 || x.dim() > 5 || x.shape()[1] != channels)
    fail("{}({}): expected input [N, {}, *spatial] with 1 to 3 spatial dims, got {}", layer, channels, channels,
         x.defined() ? shape_str(x.shape()) : "an undefined tensor");
}

Shape channel_gate_shape(const Tensor& x) {
  Shape shape(x.dim(), 1);
  shape[0] = x.shape()[0];
  shape[1] = x.shape()[1];
  return shape;
}

}  // namespace gaze
