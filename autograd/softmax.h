// Softmax and log-softmax along one dim, numerically stable (the maximum is subtracted).
#pragma once
#include "framework/tensor.h"

namespace gaze {

Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

}  // namespace gaze
