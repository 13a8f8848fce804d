// Differentiable reductions over a set of dims (all dims when none are given).
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Largest / smallest value over dims (torch.amax / amin): ties share the gradient equally.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
// Variance with Bessel's correction by default (correction = 1), like torch.var.
Tensor var(const Tensor& x, const std::vector<int64_t>& dims, int64_t correction = 1, bool keepdim = false);
// Index of the largest value along dim, as i64. Not differentiable.
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);

}  // namespace gaze
