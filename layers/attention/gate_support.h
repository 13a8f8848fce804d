// Shape checks and helpers shared by the gating layers (SE, CBAM, BAM).
#pragma once
#include "framework/error.h"
#include "framework/tensor.h"

namespace gaze {

// max(1, channels / reduction), with the options checked.
int64_t hidden_width(const char* layer, int64_t channels, int64_t reduction);
// x must be [N, channels, *spatial] with 1 to 3 spatial dims.
void check_feature_map(const char* layer, const Tensor& x, int64_t channels);
// [N, C, 1, ...]: a per-channel gate broadcast over x's spatial dims.
Shape channel_gate_shape(const Tensor& x);

}  // namespace gaze
