// Post-accumulate-grad hooks: called once per backward pass per leaf, with the leaf's final
// gradient (every use summed), in the order the leaves' gradients become final, never for a leaf
// no gradient reaches, and not after removal.
#include <string>
#include <vector>

#include "autograd/hooks.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("a post-accumulate-grad hook sees the final gradient of a leaf used several times, once a pass") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3}, {3}).set_requires_grad(true);
  std::vector<std::vector<double>> seen;
  autograd::register_post_accumulate_grad_hook(x, [&seen](const Tensor& leaf) { seen.push_back(leaf.grad().to_vector<double>()); });
  // x is used by three ops whose gradients reach it along separate paths: 2x + 1 + 3.
  sum(x * x + x + x * 3.0).backward();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0] == std::vector<double>{6, 8, 10});
  // A second pass accumulates into .grad, and the hook sees the sum once more.
  sum(x * 2.0).backward();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1] == std::vector<double>{8, 10, 12});
}

TEST_CASE("post-accumulate-grad hooks run in the order the leaves' gradients become final") {
  // y = w2 * relu(w1 * x + b1): the backward reaches w2 first, then w1 and b1, whose gradients
  // need w2's branch; x (not a parameter) gets no hook.
  Tensor x = from_vector(std::vector<double>{1, -2}, {2});
  Tensor w1 = from_vector(std::vector<double>{0.5, 0.25}, {2}).set_requires_grad(true);
  Tensor b1 = from_vector(std::vector<double>{0.1, 1.0}, {2}).set_requires_grad(true);
  Tensor w2 = from_vector(std::vector<double>{2, 3}, {2}).set_requires_grad(true);
  Tensor unused = from_vector(std::vector<double>{7}, {1}).set_requires_grad(true);
  std::vector<std::string> order;
  auto record_as = [&order](std::string name) {
    return [&order, name](const Tensor& leaf) {
      CHECK(leaf.grad().defined());
      order.push_back(name);
    };
  };
  autograd::register_post_accumulate_grad_hook(w1, record_as("w1"));
  autograd::register_post_accumulate_grad_hook(b1, record_as("b1"));
  autograd::register_post_accumulate_grad_hook(w2, record_as("w2"));
  autograd::register_post_accumulate_grad_hook(unused, record_as("unused"));
  Tensor hidden = relu(w1 * x + b1);
  Tensor w2_term = w2 * hidden;
  sum(w2_term).backward();
  REQUIRE(order.size() == 3);
  CHECK(order[0] == "w2");
  CHECK(std::count(order.begin(), order.end(), "w1") == 1);
  CHECK(std::count(order.begin(), order.end(), "b1") == 1);
  CHECK(std::count(order.begin(), order.end(), "unused") == 0);
  check_close(w2.grad(), {0.6, 0.5}, 1e-12);  // relu(0.6), relu(-0.5 + 1.0)
  check_close(w1.grad(), {2, -6}, 1e-12);     // w2 * x where the relu passes
}

TEST_CASE("a removed post-accumulate-grad hook is not called; a non-leaf is refused") {
  Tensor x = leaf({2}, 5);
  int first = 0, second = 0;
  uint64_t id = autograd::register_post_accumulate_grad_hook(x, [&first](const Tensor&) { ++first; });
  autograd::register_post_accumulate_grad_hook(x, [&second](const Tensor&) { ++second; });
  sum(x).backward();
  autograd::remove_post_accumulate_grad_hook(x, id);
  sum(x).backward();
  CHECK(first == 1);
  CHECK(second == 2);
  CHECK_THROWS_WITH_AS(autograd::register_post_accumulate_grad_hook(x * 2.0, [](const Tensor&) {}),
                       doctest::Contains("not a leaf"), Error);
}
