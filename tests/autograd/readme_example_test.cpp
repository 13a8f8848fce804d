// The library example of README.md, kept compiling and correct.
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("README example: a conv-relu loss backpropagates into the weight") {
  Tensor x = randn({8, 64, 16, 16});
  Tensor w = (randn({64, 64, 3, 3}) * 0.05).set_requires_grad(true);
  Tensor y = relu(conv2d(x, w, Tensor(), {.padding = {1}}));
  Tensor loss = mean(square(y));
  loss.backward();
  REQUIRE(w.grad().defined());
  CHECK(w.grad().shape() == w.shape());
  CHECK(sum(abs(w.grad())).item() > 0.0);
}
