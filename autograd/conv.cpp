#include "autograd/conv.h"

#include "autograd/elementwise.h"
#include "autograd/op_support.h"
#include "autograd/reduce.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

std::vector<int64_t> expand_param(const std::vector<int64_t>& values, int64_t spatial, const char* op, const char* what) {
  if (values.size() == 1) return std::vector<int64_t>(spatial, values[0]);
  if (static_cast<int64_t>(values.size()) != spatial)
    fail("{}: {} has {} values [{}]; give 1 or {} (one per spatial dim)", op, what, values.size(),
         fmt::join(values, ","), spatial);
  return values;
}

namespace {

Tensor conv_nd(const char* op, int64_t spatial, const Tensor& x_in, const Tensor& w_in, const Tensor& bias,
               const ConvOptions& options) {
  check_defined(op, x_in);
  check_defined(op, w_in, "weight");
  check_same_dtype(op, x_in, w_in);
  check_floating(op, x_in);
  if (x_in.dim() != spatial + 2)
    fail("{}: expected input [N, C, {} spatial dims], got shape {}", op, spatial, shape_str(x_in.shape()));
  if (w_in.dim() != spatial + 2)
    fail("{}: expected weight [O, C/groups, {} kernel dims], got shape {}", op, spatial, shape_str(w_in.shape()));
  ConvParams p{expand_param(options.stride, spatial, op, "stride"),
               expand_param(options.padding, spatial, op, "padding"),
               expand_param(options.dilation, spatial, op, "dilation"), options.groups};
  int64_t channels = x_in.shape()[1], out_channels = w_in.shape()[0];
  if (p.groups < 1 || channels % p.groups != 0 || out_channels % p.groups != 0)
    fail("{}: groups = {} must divide both input channels {} and output channels {}", op, p.groups,
         channels, out_channels);
  if (w_in.shape()[1] * p.groups != channels)
    fail("{}: weight {} expects {} input channels ({} per group × {} groups), but the input {} has {}",
         op, shape_str(w_in.shape()), w_in.shape()[1] * p.groups, w_in.shape()[1], p.groups,
         shape_str(x_in.shape()), channels);
  Shape out_shape{x_in.shape()[0], out_channels};
  for (int64_t d = 0; d < spatial; ++d) {
    if (p.stride[d] < 1 || p.dilation[d] < 1 || p.padding[d] < 0)
      fail("{}: stride and dilation must be >= 1 and padding >= 0 (got stride {}, padding {}, dilation {})",
           op, p.stride[d], p.padding[d], p.dilation[d]);
    int64_t extent = p.dilation[d] * (w_in.shape()[2 + d] - 1) + 1;
    int64_t size = (x_in.shape()[2 + d] + 2 * p.padding[d] - extent) / p.stride[d] + 1;
    if (x_in.shape()[2 + d] + 2 * p.padding[d] < extent)
      fail("{}: input {} (padded by {}) is smaller than the dilated kernel ({}) along spatial dim {}",
           op, shape_str(x_in.shape()), p.padding[d], extent, d);
    out_shape.push_back(size);
  }
  Tensor x = contiguous(x_in), w = contiguous(w_in);
  Tensor out = empty(out_shape, x.dtype(), x.device());
  backend(Op::conv_forward, x).conv_forward(out.arg(), x.arg(), w.arg(), p);
  Tensor saved_x = will_need_grad(w) ? x.detach() : Tensor();
  Tensor saved_w = will_need_grad(x) ? w.detach() : Tensor();
  out = record(op, out, {x, w}, [saved_x, saved_w, p, xs = x.shape(), ws = w.shape()](const Tensor& g_in, const Node& node) -> Grads {
    Tensor g = contiguous(g_in);
    Grads grads(2);
    Backend& data_backend = backend(Op::conv_backward_data, g);
    if (node.needs(0) && node.needs(1) && &data_backend == &backend(Op::conv_backward_weight, g)) {
      grads[0] = empty(xs, g.dtype(), g.device());
      grads[1] = empty(ws, g.dtype(), g.device());
      data_backend.conv_backward(grads[0].arg(), grads[1].arg(), g.arg(), saved_x.arg(), saved_w.arg(), p);
      return grads;
    }
    if (node.needs(0)) {
      grads[0] = empty(xs, g.dtype(), g.device());
      backend(Op::conv_backward_data, g).conv_backward_data(grads[0].arg(), g.arg(), saved_w.arg(), p);
    }
    if (node.needs(1)) {
      grads[1] = empty(ws, g.dtype(), g.device());
      backend(Op::conv_backward_weight, g).conv_backward_weight(grads[1].arg(), g.arg(), saved_x.arg(), p);
    }
    return grads;
  });
  if (!bias.defined()) return out;
  if (bias.shape() != Shape{out_channels})
    fail("{}: bias shape {} should be [{}]", op, shape_str(bias.shape()), out_channels);
  Shape bias_shape(out_shape.size(), 1);
  bias_shape[1] = out_channels;
  return add(out, reshape(bias, bias_shape));
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) { return conv_nd("conv1d", 1, x, w, b, o); }
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) { return conv_nd("conv2d", 2, x, w, b, o); }
Tensor conv3d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) { return conv_nd("conv3d", 3, x, w, b, o); }

Tensor conv(const Tensor& x, const Tensor& w, const Tensor& b, const ConvOptions& o) {
  check_defined("conv", x);
  switch (x.dim()) {
    case 3: return conv1d(x, w, b, o);
    case 4: return conv2d(x, w, b, o);
    case 5: return conv3d(x, w, b, o);
    default: fail("conv: expected an input of 3 to 5 dims ([N, C, *spatial]), got shape {}", shape_str(x.shape()));
  }
}

}  // namespace gaze
