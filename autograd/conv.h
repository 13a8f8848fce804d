// Differentiable convolution over 1, 2 or 3 spatial dims.
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

// One value applies to every spatial dim; otherwise give one per spatial dim.
struct ConvOptions {
  std::vector<int64_t> stride{1};
  std::vector<int64_t> padding{0};
  std::vector<int64_t> dilation{1};
  int64_t groups = 1;
};

// x [N, C, *spatial], weight [O, C/groups, *kernel], bias [O] or undefined.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const ConvOptions& options = {});
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const ConvOptions& options = {});
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const ConvOptions& options = {});
// Any of the three, by x's rank.
Tensor conv(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(), const ConvOptions& options = {});

// Expands a per-dim parameter to `spatial` entries; `what` and `op` name it in errors.
std::vector<int64_t> expand_param(const std::vector<int64_t>& values, int64_t spatial, const char* op, const char* what);

}  // namespace gaze
