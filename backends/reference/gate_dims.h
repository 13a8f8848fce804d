// The sizes of a gating call (Backend::gate_multiply_* / mean_max_pool_*), checked once for every
// backend: x [N,C,L] with a gate or pooled descriptor [N,C,1] (per channel) or [N,1,L] (per
// position), one floating dtype.
#pragma once
#include <cstdint>

#include "framework/backend.h"

namespace gaze::reference {

struct GateDims {
  int64_t batch = 0, channels = 0, length = 0;
  bool per_channel = true;  // the small operand is [N,C,1]; otherwise [N,1,L]
  int64_t small_size() const { return per_channel ? channels : length; }  // per sample
  int64_t reduced() const { return per_channel ? length : channels; }     // elements folded into each
};

// x must be contiguous [N,C,L]; `small` [N,C,1] or [N,1,L] with small's dtype equal to x's.
// `who` names the backend and kernel in errors ("openblas gate_multiply_forward").
GateDims gate_dims(const char* who, const KernelArg& x, const KernelArg& small);
// `arg` must have `like`'s shape and dtype; `contiguous` also asks for contiguous strides.
void check_like(const char* who, const char* name, const KernelArg& arg, const KernelArg& like, bool contiguous);

}  // namespace gaze::reference
