#include "autograd/attention.h"

#include "autograd/op_support.h"
#include "autograd/shape_ops.h"
#include "framework/backend_registry.h"

namespace gaze {
using namespace autograd;
namespace {

// An operand as the kernels take it: as it is when contiguous, or channel-major (a [B, C, N]
// feature map's transpose) on a backend that reads that layout in place; a copy otherwise.
Tensor attention_operand(const Tensor& t, bool channel_major_ok) {
  return channel_major_ok && is_channel_major(t.arg()) ? t : contiguous(t);
}

// A new [B, N, C] tensor laid out like `like` (contiguous or channel-major).
Tensor attention_result(const Shape& shape, const Tensor& like) {
  if (!is_channel_major(like.arg())) return empty(shape, like.dtype(), like.device());
  Tensor storage = empty({shape[0], shape[2], shape[1]}, like.dtype(), like.device());
  return storage.alias(shape, {shape[1] * shape[2], 1, shape[1]}, 0);
}

}  // namespace

Tensor fused_attention(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, double scale) {
  const char* name = "fused_attention";
  check_defined(name, q_in, "q");
  check_defined(name, k_in, "k");
  check_defined(name, v_in, "v");
  check_floating(name, q_in);
  check_same_dtype(name, q_in, k_in);
  check_same_dtype(name, q_in, v_in);
  check_same_device(name, q_in, k_in);
  check_same_device(name, q_in, v_in);
  if (q_in.dim() != 3 || k_in.dim() != 3 || v_in.dim() != 3 || k_in.shape()[0] != q_in.shape()[0] ||
      v_in.shape()[0] != q_in.shape()[0] || k_in.shape()[2] != q_in.shape()[2] || v_in.shape()[1] != k_in.shape()[1])
    fail("fused_attention: expected q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv], got {}, {} and {}", shape_str(q_in.shape()),
         shape_str(k_in.shape()), shape_str(v_in.shape()));
  if (k_in.shape()[1] < 1) fail("fused_attention: there must be at least one key position, got k {}", shape_str(k_in.shape()));
  Backend& kernels = backend(Op::attention_forward, q_in);
  const bool channel_major_ok = kernels.attention_takes_channel_major();
  Tensor q = attention_operand(q_in, channel_major_ok), k = attention_operand(k_in, channel_major_ok),
         v = attention_operand(v_in, channel_major_ok);
  int64_t batch = q.shape()[0], queries = q.shape()[1];
  // The output takes the queries' layout: a layer that passed its feature map's transpose gets a
  // result whose transpose is again a plain feature map.
  Tensor out = attention_result({batch, queries, v.shape()[2]}, q);
  Tensor lse = empty({batch, queries}, q.dtype(), q.device());
  kernels.attention_forward(out.arg(), lse.arg(), q.arg(), k.arg(), v.arg(), scale);
  bool saving = will_need_grad(q) || will_need_grad(k) || will_need_grad(v);
  Tensor sq = saving ? q.detach() : Tensor(), sk = saving ? k.detach() : Tensor(), sv = saving ? v.detach() : Tensor();
  Tensor so = saving ? out.detach() : Tensor();
  return record(name, out, {q, k, v}, [sq, sk, sv, so, lse, scale](const Tensor& g_in, const Node&) -> Grads {
    Backend& kernels = backend(Op::attention_backward, g_in);
    Tensor g = attention_operand(g_in, kernels.attention_takes_channel_major());
    // Each gradient in its input's layout, so the views the layer took hand it back unchanged.
    Tensor gq = attention_result(sq.shape(), sq), gk = attention_result(sk.shape(), sk),
           gv = attention_result(sv.shape(), sv);
    kernels.attention_backward(gq.arg(), gk.arg(), gv.arg(), g.arg(), sq.arg(), sk.arg(), sv.arg(), so.arg(),
                               lse.arg(), scale);
    return {gq, gk, gv};
  });
}

Tensor relu_pair_attention(const Tensor& a_in, const Tensor& k_in, const Tensor& v_in, double scale) {
  const char* name = "relu_pair_attention";
  check_defined(name, a_in, "a");
  check_defined(name, k_in, "k");
  check_defined(name, v_in, "v");
  check_floating(name, a_in);
  check_same_dtype(name, a_in, k_in);
  check_same_dtype(name, a_in, v_in);
  check_same_device(name, a_in, k_in);
  check_same_device(name, a_in, v_in);
  if (a_in.dim() != 2 || k_in.dim() != 2 || v_in.dim() != 3 || k_in.shape()[0] != a_in.shape()[0] ||
      v_in.shape()[0] != a_in.shape()[0] || v_in.shape()[1] != k_in.shape()[1])
    fail("relu_pair_attention: expected a [B,Nq], k [B,Nk], v [B,Nk,C], got {}, {} and {}", shape_str(a_in.shape()),
         shape_str(k_in.shape()), shape_str(v_in.shape()));
  Tensor a = contiguous(a_in), k = contiguous(k_in), v = contiguous(v_in);
  Tensor out = empty({a.shape()[0], a.shape()[1], v.shape()[2]}, a.dtype(), a.device());
  backend(Op::relu_pair_forward, a).relu_pair_forward(out.arg(), a.arg(), k.arg(), v.arg(), scale);
  bool saving = will_need_grad(a) || will_need_grad(k) || will_need_grad(v);
  Tensor sa = saving ? a.detach() : Tensor(), sk = saving ? k.detach() : Tensor(), sv = saving ? v.detach() : Tensor();
  return record(name, out, {a, k, v}, [sa, sk, sv, scale](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor ga = empty(sa.shape(), sa.dtype(), sa.device());
    Tensor gk = empty(sk.shape(), sk.dtype(), sk.device());
    Tensor gv = empty(sv.shape(), sv.dtype(), sv.device());
    backend(Op::relu_pair_backward, g)
        .relu_pair_backward(ga.arg(), gk.arg(), gv.arg(), g.arg(), sa.arg(), sk.arg(), sv.arg(), scale);
    return {ga, gk, gv};
  });
}

bool relu_pair_attention_available(const Tensor& like) {
  return kernel_available(Op::relu_pair_forward, like.dtype(), like.device()) &&
         kernel_available(Op::relu_pair_backward, like.dtype(), like.device());
}

}  // namespace gaze
