// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_.
#include "support/test_support.h"
#include "trainers/lib/optim/clip_grad.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("clip_grad_norm scales every gradient by max_norm / (norm + 1e-6) when the norm is larger") {
  Tensor a = zeros({2}).set_requires_grad(true), b = zeros({1}).set_requires_grad(true), unused = zeros({3}).set_requires_grad(true);
  a.set_grad(from_vector(std::vector<float>{3, 4}, {2}));
  b.set_grad(from_vector(std::vector<float>{12}, {1}));
  const double norm = clip_grad_norm({a, b, unused}, 6.5);
  CHECK(norm == doctest::Approx(13.0));  // sqrt(9 + 16 + 144)
  const double scale = 6.5 / (13.0 + 1e-6);
  check_close(a.grad(), {3 * scale, 4 * scale}, 1e-6);
  check_close(b.grad(), {12 * scale}, 1e-6);
  CHECK_FALSE(unused.grad().defined());
}

TEST_CASE("clip_grad_norm leaves gradients alone when the norm is within max_norm") {
  Tensor a = zeros({2}).set_requires_grad(true);
  a.set_grad(from_vector(std::vector<float>{3, 4}, {2}));
  CHECK(clip_grad_norm({a}, 5.0) == doctest::Approx(5.0));
  check_close(a.grad(), {3, 4}, 0);
  CHECK_THROWS_WITH_AS(clip_grad_norm({a}, 0.0), doctest::Contains("max_norm must be positive"), Error);
}
