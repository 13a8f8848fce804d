// The sizes of a fused attention call (Backend::attention_forward / attention_backward), checked
// once for every backend: ranks, matching sizes, one dtype, contiguous operands (or channel-major
// ones, is_channel_major, where the backend allows them; lse always contiguous).
#pragma once
#include <cstdint>

#include "framework/backend.h"

namespace gaze::reference {

struct AttentionDims {
  int64_t batch = 0, queries = 0, keys = 0, key_channels = 0, value_channels = 0;
};

// out [B,Nq,Cv], lse [B,Nq], q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv]; `who` names the backend and
// kernel in errors ("openblas attention_forward").
AttentionDims attention_dims(const char* who, const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                             const KernelArg& k, const KernelArg& v, bool channel_major_allowed = false);
// The backward's extra operands must match the forward's: grad_q like q, grad_k like k,
// grad_v like v, grad_out like out.
AttentionDims attention_backward_dims(const char* who, const KernelArg& grad_q, const KernelArg& grad_k,
                                      const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& q,
                                      const KernelArg& k, const KernelArg& v, const KernelArg& out,
                                      const KernelArg& lse, bool channel_major_allowed = false);

}  // namespace gaze::reference
