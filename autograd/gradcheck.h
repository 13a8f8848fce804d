// Finite-difference gradient check: compares the gradients backward() computes with central
// differences (f(x+eps) - f(x-eps)) / 2eps, in f64.
//
// To keep it to one backward pass, it checks the vector-Jacobian product vᵀJ for a random v
// (fixed seed): any wrong entry of J shows up for almost every v.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
  uint64_t seed = 1234;
};

struct GradcheckResult {
  bool ok = true;
  std::string message;  // the first mismatch: which input, which element, both values
};

// `inputs` are f64 leaves; those that require grad are checked, the others held constant.
// `fn` must be deterministic (re-seed any generator inside it).
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options = {});

}  // namespace gaze
