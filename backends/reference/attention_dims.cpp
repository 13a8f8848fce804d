#include "backends/reference/attention_dims.h"

#include "framework/error.h"

namespace gaze::reference {
namespace {

void check_operand(const char* who, const char* name, const KernelArg& a, DType dtype, const Shape& want,
                   bool channel_major_allowed) {
  if (a.shape != want)
    fail("{}: {} has shape {}, expected {} (q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv], out [B,Nq,Cv], lse [B,Nq])", who,
         name, shape_str(a.shape), shape_str(want));
  if (a.dtype != dtype)
    fail("{}: {} is {} but q is {}; every operand must have one dtype", who, name, dtype_name(a.dtype),
         dtype_name(dtype));
  if (!is_floating(dtype)) fail("{}: dtype {} is not supported (f32 and f64 only)", who, dtype_name(dtype));
  if (a.is_contiguous() || (channel_major_allowed && is_channel_major(a))) return;
  fail("{}: {} must be contiguous{} (the autograd op makes it so)", who, name,
       channel_major_allowed ? " or channel-major" : "");
}

}  // namespace

AttentionDims attention_dims(const char* who, const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                             const KernelArg& k, const KernelArg& v, bool channel_major_allowed) {
  if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3)
    fail("{}: q, k and v must be [batch, positions, channels], got {}, {} and {}", who, shape_str(q.shape),
         shape_str(k.shape), shape_str(v.shape));
  AttentionDims d{q.shape[0], q.shape[1], k.shape[1], q.shape[2], v.shape[2]};
  if (d.keys < 1) fail("{}: there must be at least one key position, got k {}", who, shape_str(k.shape));
  check_operand(who, "q", q, q.dtype, q.shape, channel_major_allowed);
  check_operand(who, "k", k, q.dtype, {d.batch, d.keys, d.key_channels}, channel_major_allowed);
  check_operand(who, "v", v, q.dtype, {d.batch, d.keys, d.value_channels}, channel_major_allowed);
  check_operand(who, "out", out, q.dtype, {d.batch, d.queries, d.value_channels}, channel_major_allowed);
  check_operand(who, "lse", lse, q.dtype, {d.batch, d.queries}, false);
  return d;
}

AttentionDims attention_backward_dims(const char* who, const KernelArg& grad_q, const KernelArg& grad_k,
                                      const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& q,
                                      const KernelArg& k, const KernelArg& v, const KernelArg& out,
                                      const KernelArg& lse, bool channel_major_allowed) {
  AttentionDims d = attention_dims(who, out, lse, q, k, v, channel_major_allowed);
  check_operand(who, "grad_q", grad_q, q.dtype, q.shape, channel_major_allowed);
  check_operand(who, "grad_k", grad_k, q.dtype, k.shape, channel_major_allowed);
  check_operand(who, "grad_v", grad_v, q.dtype, v.shape, channel_major_allowed);
  check_operand(who, "grad_out", grad_out, q.dtype, out.shape, channel_major_allowed);
  return d;
}

}  // namespace gaze::reference
