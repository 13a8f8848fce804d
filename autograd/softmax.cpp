#include "autograd/softmax.h"

#include "autograd/op_support.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

namespace {

Tensor softmax_op(const char* name, const Tensor& x_in, int64_t dim_in, bool log) {
  check_floating(name, x_in);
  int64_t dim = normalize_dim(dim_in, x_in.dim(), name);
  Tensor x = contiguous(x_in);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  if (x.dim() == 0) {  // a single element: softmax 1, log-softmax 0
    out.fill_(log ? 0.0 : 1.0);
  } else {
    backend(Op::softmax_forward, x).softmax_forward(out.arg(), x.arg(), dim, log);
  }
  Tensor saved = will_need_grad(x) ? out.detach() : Tensor();
  return record(name, out, {x}, [saved, dim, log](const Tensor& g_in, const Node&) -> Grads {
    if (saved.dim() == 0) return {zeros_like(g_in)};
    Tensor g = contiguous(g_in);
    Tensor gx = empty(g.shape(), g.dtype(), g.device());
    backend(Op::softmax_backward, g).softmax_backward(gx.arg(), g.arg(), saved.arg(), dim, log);
    return {gx};
  });
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_op("softmax", x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return softmax_op("log_softmax", x, dim, true); }

}  // namespace gaze
