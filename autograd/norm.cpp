#include "autograd/norm.h"

#include "autograd/elementwise.h"
#include "autograd/op_support.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

namespace {

void check_channel_vector(const char* what, const Tensor& t, int64_t channels, const Tensor& x) {
  if (!t.defined()) return;
  check_same_dtype("batch_norm", x, t);
  if (t.shape() != Shape{channels})
    fail("batch_norm: {} has shape {}, expected [{}] for input {}", what, shape_str(t.shape()), channels,
         shape_str(x.shape()));
}

}  // namespace

Tensor batch_norm(const Tensor& x_in, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
  check_floating("batch_norm", x_in);
  if (x_in.dim() < 2) fail("batch_norm: expected input [N, C, *], got shape {}", shape_str(x_in.shape()));
  int64_t channels = x_in.shape()[1];
  check_channel_vector("weight", weight, channels, x_in);
  check_channel_vector("bias", bias, channels, x_in);
  check_channel_vector("running_mean", running_mean, channels, x_in);
  check_channel_vector("running_var", running_var, channels, x_in);
  Shape channel_shape(x_in.dim(), 1);
  channel_shape[1] = channels;

  if (!training) {
    if (!running_mean.defined() || !running_var.defined())
      fail("batch_norm: evaluation mode needs running_mean and running_var");
    Tensor invstd = reshape(pow(running_var.detach() + eps, -0.5), channel_shape);
    Tensor y = (x_in - reshape(running_mean.detach(), channel_shape)) * invstd;
    if (weight.defined()) y = y * reshape(weight, channel_shape);
    if (bias.defined()) y = y + reshape(bias, channel_shape);
    return y;
  }

  int64_t per_channel = x_in.numel() / std::max<int64_t>(channels, 1);
  if (per_channel <= 1)
    fail("batch_norm: expected more than 1 value per channel when training, got input {}", shape_str(x_in.shape()));
  Tensor x = contiguous(x_in);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  Tensor save_mean = empty({channels}, x.dtype(), x.device());
  Tensor save_invstd = empty({channels}, x.dtype(), x.device());
  Tensor w = weight.defined() ? contiguous(weight.detach()) : Tensor();
  Tensor b = bias.defined() ? contiguous(bias.detach()) : Tensor();
  backend(Op::batch_norm_forward, x)
      .batch_norm_forward(out.arg(), save_mean.arg(), save_invstd.arg(), x.arg(), optional_arg(w), optional_arg(b), eps);

  if (running_mean.defined() && running_var.defined()) {
    NoGradGuard no_grad;
    double n = static_cast<double>(per_channel);
    Tensor batch_var = (pow(save_invstd, -2.0) - eps) * (n / (n - 1.0));
    Tensor new_mean = running_mean.detach() * (1.0 - momentum) + save_mean * momentum;
    Tensor new_var = running_var.detach() * (1.0 - momentum) + batch_var * momentum;
    Tensor(running_mean).copy_(new_mean);
    Tensor(running_var).copy_(new_var);
  }

  Tensor saved_x = x.detach();
  return record("batch_norm", out, {x, weight, bias},
                [saved_x, w, save_mean, save_invstd](const Tensor& g_in, const Node& node) -> Grads {
                  Tensor g = contiguous(g_in);
                  int64_t c = save_mean.numel();
                  Tensor gx = node.needs(0) ? empty(g.shape(), g.dtype(), g.device()) : Tensor();
                  Tensor gw = node.needs(1) ? empty({c}, g.dtype(), g.device()) : Tensor();
                  Tensor gb = node.needs(2) ? empty({c}, g.dtype(), g.device()) : Tensor();
                  backend(Op::batch_norm_backward, g)
                      .batch_norm_backward(optional_arg(gx), optional_arg(gw), optional_arg(gb), g.arg(),
                                           saved_x.arg(), optional_arg(w), save_mean.arg(), save_invstd.arg());
                  return {gx, gw, gb};
                });
}

}  // namespace gaze
