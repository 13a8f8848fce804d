// Every elementwise op's backward against finite differences, with broadcasting and
// non-contiguous inputs.
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("gradcheck: add, sub, mul, div with broadcasting") {
  Tensor a = leaf({3, 4}, 1), b = leaf({4}, 2), c = leaf({3, 1}, 3);
  check_gradients([](const Inputs& x) { return add(x[0], x[1]); }, {a, b});
  check_gradients([](const Inputs& x) { return sub(x[0], x[2]); }, {a, b, c});
  check_gradients([](const Inputs& x) { return mul(x[1], x[2]); }, {a, b, c});
  Tensor d = positive_leaf({3, 1}, 4);
  check_gradients([](const Inputs& x) { return div(x[0], x[1]); }, {a, d});
  check_gradients([](const Inputs& x) { return x[0] * 2.0 - 1.5 / x[1] + 3.0; }, {a, d});
}

TEST_CASE("gradcheck: binary ops on non-contiguous inputs") {
  Tensor a = transposed_leaf({3, 5}, 5), b = leaf({3, 5}, 6);
  check_gradients([](const Inputs& x) { return mul(x[0], x[1]); }, {a, b});
  check_gradients([](const Inputs& x) { return add(x[0], x[0]); }, {a});
}

TEST_CASE("gradcheck: pow with a scalar and a tensor exponent") {
  Tensor a = positive_leaf({2, 3}, 7), e = leaf({3}, 8, 0.5);
  check_gradients([](const Inputs& x) { return pow(x[0], 3.0); }, {a});
  check_gradients([](const Inputs& x) { return pow(x[0], -0.5); }, {a});
  check_gradients([](const Inputs& x) { return pow(x[0], x[1]); }, {a, e});
}

TEST_CASE("gradcheck: neg, exp, log, sqrt, abs, square") {
  Tensor a = leaf({2, 3, 2}, 9), p = positive_leaf({2, 3, 2}, 10);
  check_gradients([](const Inputs& x) { return neg(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return exp(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return log(x[0]); }, {p});
  check_gradients([](const Inputs& x) { return sqrt(x[0]); }, {p});
  check_gradients([](const Inputs& x) { return abs(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return square(x[0]); }, {a});
}

TEST_CASE("gradcheck: clamp, relu, leaky_relu, sigmoid, tanh") {
  Tensor a = leaf({4, 5}, 11);
  check_gradients([](const Inputs& x) { return clamp(x[0], -0.5, 0.7); }, {a});
  check_gradients([](const Inputs& x) { return relu(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return leaky_relu(x[0], 0.2); }, {a});
  check_gradients([](const Inputs& x) { return sigmoid(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return tanh(x[0]); }, {a});
  Tensor t = transposed_leaf({4, 5}, 12);
  check_gradients([](const Inputs& x) { return sigmoid(x[0]); }, {t});
}

TEST_CASE("gradcheck: maximum, minimum and where") {
  Tensor a = leaf({3, 4}, 13), b = leaf({4}, 14);
  check_gradients([](const Inputs& x) { return maximum(x[0], x[1]); }, {a, b});
  check_gradients([](const Inputs& x) { return minimum(x[0], x[1]); }, {a, b});
  check_gradients([](const Inputs& x) { return where(gt(x[0], x[1]), x[0], x[1] * 3.0); }, {a, b});
}

TEST_CASE("gradcheck: to_dtype round trip and seeded dropout") {
  Tensor a = leaf({3, 4}, 15);
  check_gradients([](const Inputs& x) { return to_dtype(to_dtype(x[0], DType::f32), DType::f64); }, {a},
                  GradcheckOptions{.eps = 1e-3, .atol = 1e-3, .rtol = 1e-3});
  check_gradients([](const Inputs& x) {
    Generator g(42);
    return dropout(x[0], 0.4, true, &g);
  }, {a});
}

TEST_CASE("dropout drops with probability p, rescales the rest, and is the identity in eval") {
  Generator g(3);
  Tensor x = ones({10000});
  Tensor y = dropout(x, 0.25, true, &g);
  std::vector<double> v = y.to_vector<double>();
  int64_t zeros_seen = 0;
  for (double e : v) {
    CHECK((e == 0.0 || std::abs(e - 1.0 / 0.75) < 1e-6));
    zeros_seen += e == 0.0;
  }
  CHECK(zeros_seen > 2300);
  CHECK(zeros_seen < 2700);
  CHECK(dropout(x, 0.25, false).same(x));
}
