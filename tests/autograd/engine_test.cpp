// The backward engine: accumulation, shared subgraphs, retained and freed graphs, detach,
// no-grad mode, and the checker itself.
#include "autograd/hooks.h"
#include "autograd/node.h"
#include "framework/host_allocator.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("gradients accumulate into leaves across uses and across backward calls") {
  Tensor x = from_vector(std::vector<double>{1, 2, 3}, {3}).set_requires_grad(true);
  sum(x * x + x).backward();  // d/dx = 2x + 1
  check_close(x.grad(), {3, 5, 7});
  sum(x * 3.0).backward();
  check_close(x.grad(), {6, 8, 10});
  x.zero_grad();
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("a leaf's first gradient becomes its .grad without a copy when nothing else holds it") {
  // 64 Ki floats: above the host allocator's small-block size, so each array is counted.
  Tensor x = full({65536}, 1.0, DType::f32).set_requires_grad(true);
  Tensor y = x * 2.0;
  HostAllocatorStats before = host_allocator_stats();
  sum(y).backward();
  HostAllocatorStats after = host_allocator_stats();
  // The multiply's backward makes the one array; the accumulator adopts it instead of copying.
  CHECK(after.hits + after.misses - before.hits - before.misses == 1);
  CHECK(x.grad().to_vector<double>() == std::vector<double>(65536, 2.0));
}

TEST_CASE("a gradient that another branch still reads is copied into .grad: changing .grad in a hook changes nothing else") {
  // (x·2 + w)·c: the add's backward hands one gradient to both branches. w's accumulator runs
  // first (leaves before other nodes), and its hook zeroes w.grad in place, as an in-place
  // all-reduce would change it: x's branch must still see the gradient it was given.
  Tensor x = from_vector(std::vector<double>{1, 2, 3}, {3}).set_requires_grad(true);
  Tensor w = from_vector(std::vector<double>{4, 5, 6}, {3}).set_requires_grad(true);
  Tensor c = from_vector(std::vector<double>{1, 2, 3}, {3});
  autograd::register_post_accumulate_grad_hook(w, [](const Tensor& leaf) { Tensor(leaf.grad()).fill_(0.0); });
  sum((x * 2.0 + w) * c).backward();
  check_close(w.grad(), {0, 0, 0});
  check_close(x.grad(), {2, 4, 6});
}

TEST_CASE("a diamond-shaped graph runs each node once, after all its consumers") {
  Tensor x = from_vector(std::vector<double>{0.5, -1.0}, {2}).set_requires_grad(true);
  Tensor h = exp(x);              // used by two branches
  Tensor y = sum(h * h + sigmoid(h));
  y.backward();
  std::vector<double> xv{0.5, -1.0};
  std::vector<double> expected;
  for (double v : xv) {
    double e = std::exp(v), s = 1.0 / (1.0 + std::exp(-e));
    expected.push_back((2 * e + s * (1 - s)) * e);
  }
  check_close(x.grad(), expected, 1e-12);
}

TEST_CASE("backward with an explicit gradient; implied gradient only for one element") {
  Tensor x = leaf({2, 3}, 1);
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("one-element output"), Error);
  y.backward(full({2, 3}, 0.5, DType::f64));
  check_close(x.grad(), std::vector<double>(6, 1.0));
  CHECK_THROWS_WITH_AS((x * 2.0).backward(ones({3}, DType::f64)), doctest::Contains("gradient of shape [3]"), Error);
}

TEST_CASE("a second backward through a freed graph is an error; retain_graph allows it") {
  Tensor x = leaf({3}, 2);
  Tensor y = sum(exp(x));
  y.backward();
  CHECK_THROWS_WITH_AS(y.backward(), doctest::Contains("second time"), Error);
  Tensor z = sum(exp(x));
  x.zero_grad();
  z.backward(Tensor(), /*retain_graph=*/true);
  Tensor first = clone(x.grad()).detach();
  z.backward();
  check_close(x.grad(), (first * 2.0).to_vector<double>(), 1e-12);
}

TEST_CASE("saved tensors are freed once backward has run") {
  Tensor x = leaf({4}, 3);
  std::weak_ptr<Storage> saved;
  Tensor y;
  {
    Tensor h = exp(x);  // its backward saves h's data
    saved = h.storage();
    y = sum(h);
  }
  CHECK_FALSE(saved.expired());  // kept alive by the graph alone
  y.backward();
  CHECK(saved.expired());
}

TEST_CASE("detach and NoGradGuard cut the graph") {
  Tensor x = leaf({3}, 4);
  Tensor d = x.detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.storage() == x.storage());
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
  }
  Tensor y = x * 2.0;
  CHECK(y.requires_grad());
  CHECK(y.grad_fn()->name == "mul");
  CHECK_THROWS_WITH_AS(sum(d * 2.0).backward(), doctest::Contains("does not require grad"), Error);
}

TEST_CASE("only floating leaves can require grad, and only leaves can be marked") {
  Tensor labels = arange(4);
  CHECK_THROWS_WITH_AS(labels.set_requires_grad(true), doctest::Contains("floating-point"), Error);
  Tensor y = leaf({2}, 5) * 2.0;
  CHECK_THROWS_WITH_AS(y.set_requires_grad(false), doctest::Contains("only leaf tensors"), Error);
}

TEST_CASE("gradients flow only to inputs that need them") {
  Tensor w = leaf({3, 3}, 6);
  Tensor x = randn({2, 3}, DType::f64);  // data: no gradient
  sum(matmul(x, w)).backward();
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradcheck catches a wrong backward rule") {
  // x² with the backward of 3x: the checker must say no, naming the input and element.
  auto broken_square = [](const std::vector<Tensor>& in) {
    Tensor x = in[0];
    Tensor out;
    {
      NoGradGuard no_grad;
      out = x * x;
    }
    return autograd::record("broken_square", out, {x}, [saved = x.detach()](const Tensor& g, const autograd::Node&) {
      return autograd::Grads{g * saved * 3.0};
    });
  };
  GradcheckResult result = gradcheck(broken_square, {leaf({3}, 7)});
  CHECK_FALSE(result.ok);
  CHECK(result.message.find("input 0") != std::string::npos);
  auto right_square = [](const std::vector<Tensor>& in) { return in[0] * in[0]; };
  CHECK(gradcheck(right_square, {leaf({3}, 7)}).ok);
}
