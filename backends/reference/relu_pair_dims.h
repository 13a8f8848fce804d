// The sizes of a concatenation-attention call (Backend::relu_pair_forward / relu_pair_backward),
// checked once for every backend: ranks, matching sizes, one floating dtype, contiguous operands.
#pragma once
#include <cstdint>

#include "framework/backend.h"

namespace gaze::reference {

struct ReluPairDims {
  int64_t batch = 0, queries = 0, keys = 0, channels = 0;
};

// out [B,Nq,C], a [B,Nq], k [B,Nk], v [B,Nk,C]; `who` names the backend and kernel in errors
// ("openblas relu_pair_forward").
ReluPairDims relu_pair_dims(const char* who, const KernelArg& out, const KernelArg& a, const KernelArg& k,
                            const KernelArg& v);
// The backward's gradients must match their operands: grad_a like a, grad_k like k, grad_v like v.
ReluPairDims relu_pair_backward_dims(const char* who, const KernelArg& grad_a, const KernelArg& grad_k,
                                     const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& a,
                                     const KernelArg& k, const KernelArg& v);

}  // namespace gaze::reference
