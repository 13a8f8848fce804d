// Differentiable upsampling (and downsampling) to a given spatial size.
#pragma once
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

// mode "nearest" (PyTorch's legacy nearest), or "linear" / "bilinear" / "trilinear" for inputs
// with 1 / 2 / 3 spatial dims. align_corners applies to the linear modes only.
Tensor interpolate(const Tensor& x, const std::vector<int64_t>& size, const std::string& mode = "nearest",
                   bool align_corners = false);
// The output size for an integer-or-fractional scale: floor(in · scale) per spatial dim.
std::vector<int64_t> scaled_size(const Tensor& x, double scale);

}  // namespace gaze
