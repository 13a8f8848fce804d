#include "autograd/gate.h"

#include "autograd/op_support.h"
#include "autograd/shape_ops.h"
#include "framework/backend_registry.h"

namespace gaze {
using namespace autograd;

namespace {

// A contiguous tensor seen by a kernel with other sizes and strides, from element `offset` on.
KernelArg gate_view_arg(const Tensor& t, const Shape& shape, const Shape& strides, int64_t offset = 0) {
  KernelArg a = t.arg();
  a.data = static_cast<char*>(a.data) + offset * static_cast<int64_t>(dtype_size(a.dtype));
  a.shape = shape;
  a.strides = strides;
  return a;
}

// x [N,C,*spatial] as [N,C,L]; x must be contiguous.
KernelArg gate_x_arg(const Tensor& x, int64_t length) {
  int64_t n = x.shape()[0], c = x.shape()[1];
  return gate_view_arg(x, {n, c, length}, {c * length, length, 1});
}

int64_t gate_positions(const Tensor& x) {
  int64_t length = 1;
  for (int64_t d = 2; d < x.dim(); ++d) length *= x.shape()[d];
  return length;
}

void check_gate_input(const char* name, const Tensor& x) {
  check_defined(name, x);
  check_floating(name, x);
  if (x.dim() < 3) fail("{}: expected x [N, C, *spatial] with at least one spatial dim, got {}", name, shape_str(x.shape()));
}

}  // namespace

Tensor gate_multiply(const Tensor& x_in, const Tensor& gate_in) {
  const char* name = "gate_multiply";
  check_gate_input(name, x_in);
  check_defined(name, gate_in, "gate");
  check_same_dtype(name, x_in, gate_in);
  check_same_device(name, x_in, gate_in);
  Shape per_channel(x_in.dim(), 1), per_position = x_in.shape();
  per_channel[0] = per_position[0] = x_in.shape()[0];
  per_channel[1] = x_in.shape()[1];
  per_position[1] = 1;
  bool channel_gate = gate_in.shape() == per_channel;
  if (!channel_gate && gate_in.shape() != per_position)
    fail("gate_multiply: the gate must be {} (one value per channel) or {} (one per position) for x {}, got {}",
         shape_str(per_channel), shape_str(per_position), shape_str(x_in.shape()), shape_str(gate_in.shape()));
  Tensor x = contiguous(x_in), gate = contiguous(gate_in);
  const int64_t n = x.shape()[0], c = x.shape()[1], length = gate_positions(x);
  const Shape gate_shape = channel_gate ? Shape{n, c, 1} : Shape{n, 1, length};
  const Shape gate_strides = channel_gate ? Shape{c, 1, 1} : Shape{length, length, 1};
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  backend(Op::gate_multiply_forward, x)
      .gate_multiply_forward(gate_x_arg(out, length), gate_x_arg(x, length), gate_view_arg(gate, gate_shape, gate_strides));
  bool saving = will_need_grad(x) || will_need_grad(gate);
  Tensor sx = saving ? x.detach() : Tensor(), sg = saving ? gate.detach() : Tensor();
  return record(name, out, {x, gate}, [sx, sg, length, gate_shape, gate_strides](const Tensor& g_in, const Node&) -> Grads {
    // The gradient of a sum arrives as one value broadcast (all strides 0): read as such, not copied out.
    bool broadcast = true;
    for (int64_t d = 0; d < g_in.dim(); ++d) broadcast = broadcast && (g_in.strides()[d] == 0 || g_in.shape()[d] == 1);
    Tensor g = broadcast ? g_in : contiguous(g_in);
    KernelArg g_arg = broadcast ? gate_view_arg(g, {sx.shape()[0], sx.shape()[1], length}, {0, 0, 0}) : gate_x_arg(g, length);
    Tensor gx = empty(sx.shape(), sx.dtype(), sx.device());
    Tensor gg = empty(sg.shape(), sg.dtype(), sg.device());
    backend(Op::gate_multiply_backward, g)
        .gate_multiply_backward(gate_x_arg(gx, length), gate_view_arg(gg, gate_shape, gate_strides), g_arg,
                                gate_x_arg(sx, length), gate_view_arg(sg, gate_shape, gate_strides));
    return {gx, gg};
  });
}

Tensor position_mean_max(const Tensor& x_in) {
  const char* name = "position_mean_max";
  check_gate_input(name, x_in);
  Tensor x = contiguous(x_in);
  const int64_t n = x.shape()[0], c = x.shape()[1], length = gate_positions(x);
  if (length == 0) fail("position_mean_max: x {} has no positions to pool over", shape_str(x.shape()));
  // [2,N,C]: the means, then the maxima, each seen by the kernel as [N,C,1].
  const Shape half{n, c, 1}, half_strides{c, 1, 1};
  const int64_t max_at = n * c;
  Tensor out = empty({2, n, c}, x.dtype(), x.device());
  backend(Op::mean_max_pool_forward, x)
      .mean_max_pool_forward(gate_view_arg(out, half, half_strides), gate_view_arg(out, half, half_strides, max_at),
                             gate_x_arg(x, length));
  Tensor sx = will_need_grad(x) ? x.detach() : Tensor(), sout = sx.defined() ? out.detach() : Tensor();
  return record(name, out, {x}, [sx, sout, half, half_strides, max_at, length](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(sx.shape(), sx.dtype(), sx.device());
    backend(Op::mean_max_pool_backward, g)
        .mean_max_pool_backward(gate_x_arg(gx, length), gate_view_arg(g, half, half_strides),
                                gate_view_arg(g, half, half_strides, max_at), gate_x_arg(sx, length),
                                gate_view_arg(sout, half, half_strides, max_at));
    return {gx};
  });
}

Tensor channel_mean_max(const Tensor& x_in, bool max_first) {
  const char* name = "channel_mean_max";
  check_gate_input(name, x_in);
  Tensor x = contiguous(x_in);
  const int64_t n = x.shape()[0], c = x.shape()[1], length = gate_positions(x);
  if (c == 0) fail("channel_mean_max: x {} has no channels to pool over", shape_str(x.shape()));
  // [N,2,*spatial]: each of the two channels seen by the kernel as [N,1,L], 2L apart per sample.
  Shape out_shape = x.shape();
  out_shape[1] = 2;
  const Shape half{n, 1, length}, half_strides{2 * length, length, 1};
  const int64_t mean_at = max_first ? length : 0, max_at = max_first ? 0 : length;
  Tensor out = empty(out_shape, x.dtype(), x.device());
  backend(Op::mean_max_pool_forward, x)
      .mean_max_pool_forward(gate_view_arg(out, half, half_strides, mean_at), gate_view_arg(out, half, half_strides, max_at),
                             gate_x_arg(x, length));
  Tensor sx = will_need_grad(x) ? x.detach() : Tensor(), sout = sx.defined() ? out.detach() : Tensor();
  return record(name, out, {x}, [sx, sout, half, half_strides, mean_at, max_at, length](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor gx = empty(sx.shape(), sx.dtype(), sx.device());
    backend(Op::mean_max_pool_backward, g)
        .mean_max_pool_backward(gate_x_arg(gx, length), gate_view_arg(g, half, half_strides, mean_at),
                                gate_view_arg(g, half, half_strides, max_at), gate_x_arg(sx, length),
                                gate_view_arg(sout, half, half_strides, max_at));
    return {gx};
  });
}

namespace {
thread_local bool gate_fusion_off = false;
}  // namespace

GateFusionOff::GateFusionOff() : previous_(gate_fusion_off) { gate_fusion_off = true; }
GateFusionOff::~GateFusionOff() { gate_fusion_off = previous_; }

bool gate_kernels_available(const Tensor& like) {
  if (gate_fusion_off) return false;
  for (Op op : {Op::gate_multiply_forward, Op::gate_multiply_backward, Op::mean_max_pool_forward, Op::mean_max_pool_backward})
    if (!kernel_available(op, like.dtype(), like.device())) return false;
  return true;
}

}  // namespace gaze
