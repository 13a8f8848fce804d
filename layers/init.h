// Parameter initialisers, matching PyTorch's defaults so models start where PyTorch's do.
#pragma once
#include "framework/random.h"
#include "framework/tensor.h"

namespace gaze::init {

// U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's default for conv and linear weights
// (kaiming_uniform with a = sqrt(5)) and biases. fan_in = numel / shape[0] of the weight.
Tensor default_uniform(const Shape& shape, int64_t fan_in, Generator* generator = nullptr);
// N(0, 2 / fan_out): kaiming normal in fan-out mode, the ResNet papers' conv init.
Tensor kaiming_normal_fan_out(const Shape& weight_shape, Generator* generator = nullptr);

}  // namespace gaze::init
