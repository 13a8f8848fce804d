// Matrix products.
#pragma once
#include "framework/tensor.h"

namespace gaze {

// torch.matmul semantics: 1-D operands are promoted to a row / column and the added dim is
// removed again; leading (batch) dims broadcast.
Tensor matmul(const Tensor& a, const Tensor& b);
// x [..., in] @ weight [out, in]ᵀ + bias [out] (bias may be undefined).
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace gaze
