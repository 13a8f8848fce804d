// The gating layers' fused passes (SE, CBAM): a gate multiply whose backward gives both
// gradients in one pass over x and grad_out, and a pooling that yields mean and max together.
// Each is one op with its own backward; the layers compose the same results from elementwise
// ops and reductions where the backend lacks the kernels (gate_kernels_available), and agree
// with that form to the dtype's rounding.
#pragma once
#include "framework/tensor.h"

namespace gaze {

// x · gate, x [N,C,*spatial] and gate [N,C,1,...] (one value per channel) or [N,1,*spatial]
// (one per position), broadcast over the other dim: x * gate in one op. Its backward saves x
// and the gate.
Tensor gate_multiply(const Tensor& x, const Tensor& gate);

// The mean and the max of x [N,C,*spatial] over its positions, stacked [2,N,C]: [0] the means,
// [1] the maxima (CBAM's channel-gate descriptors, avg and max). The max's gradient is shared
// among ties, as max()'s.
Tensor position_mean_max(const Tensor& x);

// The mean and the max of x [N,C,*spatial] over its channels, as the two channels of
// [N,2,*spatial]: [mean; max], or [max; mean] when max_first (CBAM's spatial-gate input).
Tensor channel_mean_max(const Tensor& x, bool max_first = false);

// Whether the backend of tensors like `like` (its device and dtype) has the kernels of all three,
// and they are not switched off on this thread (GateFusionOff).
bool gate_kernels_available(const Tensor& like);

// While one lives, gate_kernels_available answers false on this thread: the layers take their
// composite path, so tests can hold the fused one against it (and a profile can compare them).
class GateFusionOff {
 public:
  GateFusionOff();
  ~GateFusionOff();
  GateFusionOff(const GateFusionOff&) = delete;
  GateFusionOff& operator=(const GateFusionOff&) = delete;

 private:
  bool previous_;
};

}  // namespace gaze
