#include "autograd/pool.h"

#include "autograd/conv.h"
#include "autograd/op_support.h"
#include "autograd/reduce.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

namespace {

int64_t spatial_dims(const char* op, const Tensor& x) {
  check_floating(op, x);
  if (x.dim() < 3 || x.dim() > 5)
    fail("{}: expected input [N, C, *spatial] with 1 to 3 spatial dims, got shape {}", op, shape_str(x.shape()));
  return x.dim() - 2;
}

// PyTorch's pooling_output_shape, with its checks.
Shape pooled_shape(const char* op, const Tensor& x, const PoolParams& p, bool ceil_mode) {
  Shape shape{x.shape()[0], x.shape()[1]};
  for (size_t d = 0; d < p.kernel.size(); ++d) {
    int64_t in = x.shape()[2 + d], k = p.kernel[d], s = p.stride[d], pad = p.padding[d], dil = p.dilation[d];
    if (k < 1 || s < 1 || dil < 1 || pad < 0)
      fail("{}: kernel, stride and dilation must be >= 1 and padding >= 0 (dim {}: kernel {}, stride {}, padding {}, dilation {})",
           op, d, k, s, pad, dil);
    if (pad > k / 2)
      fail("{}: padding {} should be at most half the kernel size {} (dim {})", op, pad, k, d);
    int64_t numerator = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
    int64_t out = (numerator >= 0 ? numerator / s : -((-numerator + s - 1) / s)) + 1;
    if (ceil_mode && (out - 1) * s >= in + pad) --out;
    if (out < 1)
      fail("{}: input {} is too small for kernel {} (dim {}: output size would be {})", op,
           shape_str(x.shape()), k, d, out);
    shape.push_back(out);
  }
  return shape;
}

PoolParams pool_params(const char* op, int64_t spatial, const PoolOptions& o) {
  PoolParams p;
  p.kernel = expand_param(o.kernel, spatial, op, "kernel");
  p.stride = o.stride.empty() ? p.kernel : expand_param(o.stride, spatial, op, "stride");
  p.padding = expand_param(o.padding, spatial, op, "padding");
  p.dilation = expand_param(o.dilation, spatial, op, "dilation");
  p.count_include_pad = o.count_include_pad;
  return p;
}

}  // namespace

Tensor max_pool(const Tensor& x_in, const PoolOptions& options) {
  int64_t spatial = spatial_dims("max_pool", x_in);
  PoolParams p = pool_params("max_pool", spatial, options);
  Shape shape = pooled_shape("max_pool", x_in, p, options.ceil_mode);
  Tensor x = contiguous(x_in);
  Tensor out = empty(shape, x.dtype(), x.device());
  Tensor indices = empty(shape, DType::i64, x.device());
  backend(Op::max_pool_forward, x).max_pool_forward(out.arg(), indices.arg(), x.arg(), p);
  return record("max_pool", out, {x}, [indices, xs = x.shape()](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(xs, g.dtype(), g.device());
    backend(Op::max_pool_backward, g).max_pool_backward(gx.arg(), g.arg(), indices.arg());
    return {gx};
  });
}

Tensor avg_pool(const Tensor& x_in, const PoolOptions& options) {
  int64_t spatial = spatial_dims("avg_pool", x_in);
  PoolParams p = pool_params("avg_pool", spatial, options);
  for (int64_t dil : p.dilation)
    if (dil != 1) fail("avg_pool: dilation is not defined for average pooling (got {})", dil);
  Shape shape = pooled_shape("avg_pool", x_in, p, options.ceil_mode);
  Tensor x = contiguous(x_in);
  Tensor out = empty(shape, x.dtype(), x.device());
  backend(Op::avg_pool_forward, x).avg_pool_forward(out.arg(), x.arg(), p);
  return record("avg_pool", out, {x}, [p, xs = x.shape()](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(xs, g.dtype(), g.device());
    backend(Op::avg_pool_backward, g).avg_pool_backward(gx.arg(), g.arg(), p);
    return {gx};
  });
}

namespace {
Tensor with_rank(const char* op, int64_t rank, const Tensor& x) {
  check_defined(op, x);
  if (x.dim() != rank) fail("{}: expected an input of {} dims, got shape {}", op, rank, shape_str(x.shape()));
  return x;
}
}  // namespace

Tensor max_pool1d(const Tensor& x, const PoolOptions& o) { return max_pool(with_rank("max_pool1d", 3, x), o); }
Tensor max_pool2d(const Tensor& x, const PoolOptions& o) { return max_pool(with_rank("max_pool2d", 4, x), o); }
Tensor max_pool3d(const Tensor& x, const PoolOptions& o) { return max_pool(with_rank("max_pool3d", 5, x), o); }
Tensor avg_pool1d(const Tensor& x, const PoolOptions& o) { return avg_pool(with_rank("avg_pool1d", 3, x), o); }
Tensor avg_pool2d(const Tensor& x, const PoolOptions& o) { return avg_pool(with_rank("avg_pool2d", 4, x), o); }
Tensor avg_pool3d(const Tensor& x, const PoolOptions& o) { return avg_pool(with_rank("avg_pool3d", 5, x), o); }

Tensor adaptive_avg_pool(const Tensor& x_in, const std::vector<int64_t>& output_size) {
  int64_t spatial = spatial_dims("adaptive_avg_pool", x_in);
  std::vector<int64_t> size = expand_param(output_size, spatial, "adaptive_avg_pool", "output_size");
  Shape shape{x_in.shape()[0], x_in.shape()[1]};
  for (int64_t d = 0; d < spatial; ++d) {
    if (size[d] < 1) fail("adaptive_avg_pool: output size {} must be >= 1", size[d]);
    if (x_in.shape()[2 + d] < 1) fail("adaptive_avg_pool: input {} has an empty spatial dim", shape_str(x_in.shape()));
    shape.push_back(size[d]);
  }
  Tensor x = contiguous(x_in);
  Tensor out = empty(shape, x.dtype(), x.device());
  backend(Op::adaptive_avg_pool_forward, x).adaptive_avg_pool_forward(out.arg(), x.arg());
  return record("adaptive_avg_pool", out, {x}, [xs = x.shape()](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(xs, g.dtype(), g.device());
    backend(Op::adaptive_avg_pool_backward, g).adaptive_avg_pool_backward(gx.arg(), g.arg());
    return {gx};
  });
}

namespace {
std::vector<int64_t> spatial_dim_list(const char* op, const Tensor& x) {
  check_defined(op, x);
  if (x.dim() < 3) fail("{}: expected [N, C, *spatial], got shape {}", op, shape_str(x.shape()));
  std::vector<int64_t> dims;
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}
}  // namespace

Tensor global_avg_pool(const Tensor& x) { return mean(x, spatial_dim_list("global_avg_pool", x), true); }
Tensor global_max_pool(const Tensor& x) { return max(x, spatial_dim_list("global_max_pool", x), true); }

}  // namespace gaze
