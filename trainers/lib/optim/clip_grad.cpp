#include "trainers/lib/optim/clip_grad.h"

#include <cmath>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

double clip_grad_norm(const std::vector<Tensor>& parameters, double max_norm) {
  if (max_norm <= 0) fail("clip_grad_norm: max_norm must be positive (got {})", max_norm);
  NoGradGuard no_grad;
  double squares = 0;
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) squares += sum(square(to_dtype(g, DType::f64))).item();
  }
  const double norm = std::sqrt(squares);
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  const double scale = max_norm / (norm + 1e-6);
  for (const Tensor& p : parameters) {
    Tensor g = p.grad();
    if (g.defined()) g.copy_(g * scale);
  }
  return norm;
}

}  // namespace gaze
