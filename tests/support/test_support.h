// Helpers shared by the suites: seeded f64 leaves, gradient checks with a readable failure, and
// element-wise comparisons.
#pragma once
#include <doctest/doctest.h>

#include <functional>
#include <string>
#include <vector>

#include "autograd/gradcheck.h"
#include "autograd/ops.h"
#include "framework/error.h"
#include "framework/tensor.h"

namespace gaze::test {

// A doctest matcher for an error message holding `text` (CHECK_THROWS_WITH_AS(..., has("..."), ...)).
inline doctest::Contains has(const std::string& text) { return doctest::Contains(text.c_str()); }

// A leaf of standard-normal f64 values that requires grad; `seed` makes it reproducible.
inline Tensor leaf(const Shape& shape, uint64_t seed, double scale = 1.0) {
  Generator g(seed);
  Tensor t = randn(shape, DType::f64, &g);
  if (scale != 1.0) {
    NoGradGuard no_grad;
    t = t * scale;
  }
  return t.set_requires_grad(true);
}

// A leaf of f64 values uniform in [low, high): for ops defined on part of the line (log, sqrt).
inline Tensor positive_leaf(const Shape& shape, uint64_t seed, double low = 0.5, double high = 2.0) {
  Generator g(seed);
  return uniform(shape, low, high, DType::f64, &g).set_requires_grad(true);
}

// A leaf whose values are laid out non-contiguously: the transpose of a fresh [b, a] tensor,
// for a 2-D `shape` [a, b].
inline Tensor transposed_leaf(const Shape& shape, uint64_t seed) {
  Generator g(seed);
  Tensor base = randn({shape[1], shape[0]}, DType::f64, &g);
  Tensor t = base.alias(shape, {1, shape[0]}, 0);
  return t.set_requires_grad(true);
}

inline void check_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                            const std::vector<Tensor>& inputs, GradcheckOptions options = {}) {
  GradcheckResult result = gradcheck(fn, inputs, options);
  INFO(result.message);
  CHECK(result.ok);
}

inline void check_close(const Tensor& actual, const std::vector<double>& expected, double tol = 1e-5) {
  std::vector<double> values = actual.to_vector<double>();
  REQUIRE(values.size() == expected.size());
  for (size_t i = 0; i < values.size(); ++i) {
    INFO("element " << i << ": got " << values[i] << ", expected " << expected[i]);
    CHECK(std::abs(values[i] - expected[i]) <= tol * (1.0 + std::abs(expected[i])));
  }
}

inline void check_close(const Tensor& actual, const Tensor& expected, double tol = 1e-5) {
  REQUIRE(actual.shape() == expected.shape());
  check_close(actual, expected.to_vector<double>(), tol);
}

}  // namespace gaze::test
