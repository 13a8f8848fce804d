// Batch normalization over every dim but the channel dim (1).
#pragma once
#include "framework/tensor.h"

namespace gaze {

// x [N, C, *]; weight, bias, running_mean, running_var [C] (each may be undefined).
// Training: normalises by the batch statistics and, when running stats are given, updates them
// in place: running = (1 − momentum)·running + momentum·batch (unbiased variance), as PyTorch.
// Evaluation: normalises by the running statistics.
Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum = 0.1, double eps = 1e-5);

}  // namespace gaze
