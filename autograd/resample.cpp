#include "autograd/resample.h"

#include <cmath>

#include "autograd/conv.h"
#include "autograd/op_support.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

Tensor interpolate(const Tensor& x_in, const std::vector<int64_t>& size_in, const std::string& mode, bool align_corners) {
  check_floating("interpolate", x_in);
  if (x_in.dim() < 3 || x_in.dim() > 5)
    fail("interpolate: expected input [N, C, *spatial] with 1 to 3 spatial dims, got shape {}", shape_str(x_in.shape()));
  int64_t spatial = x_in.dim() - 2;
  static const char* linear_names[] = {"linear", "bilinear", "trilinear"};
  UpsampleMode upsample_mode;
  if (mode == "nearest") {
    upsample_mode = UpsampleMode::nearest;
    if (align_corners) fail("interpolate: align_corners only applies to the linear modes, not 'nearest'");
  } else if (mode == linear_names[spatial - 1]) {
    upsample_mode = UpsampleMode::linear;
  } else {
    fail("interpolate: mode '{}' does not fit an input with {} spatial dims (shape {}); use 'nearest' or '{}'",
         mode, spatial, shape_str(x_in.shape()), linear_names[spatial - 1]);
  }
  std::vector<int64_t> size = expand_param(size_in, spatial, "interpolate", "size");
  Shape shape{x_in.shape()[0], x_in.shape()[1]};
  for (int64_t d = 0; d < spatial; ++d) {
    if (size[d] < 1 || x_in.shape()[2 + d] < 1)
      fail("interpolate: sizes must be >= 1 (input {}, requested [{}])", shape_str(x_in.shape()), fmt::join(size, ","));
    shape.push_back(size[d]);
  }
  Tensor x = contiguous(x_in);
  Tensor out = empty(shape, x.dtype(), x.device());
  backend(Op::upsample_forward, x).upsample_forward(upsample_mode, align_corners, out.arg(), x.arg());
  return record("interpolate", out, {x}, [upsample_mode, align_corners, xs = x.shape()](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(xs, g.dtype(), g.device());
    backend(Op::upsample_backward, g).upsample_backward(upsample_mode, align_corners, gx.arg(), g.arg());
    return {gx};
  });
}

std::vector<int64_t> scaled_size(const Tensor& x, double scale) {
  if (scale <= 0) fail("interpolate: scale factor must be positive, got {}", scale);
  std::vector<int64_t> size;
  for (int64_t d = 2; d < x.dim(); ++d)
    size.push_back(static_cast<int64_t>(std::floor(static_cast<double>(x.shape()[d]) * scale)));
  return size;
}

}  // namespace gaze
