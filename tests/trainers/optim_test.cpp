// Optimizers against torch.optim: three steps on loss = Σ p³ + Σ c·p from p = [1, -2, 0.5], c = [1, 2, 3],
// in f64. Expected values printed by torch.optim (PyTorch 1.13) with the same options.
#include "support/test_support.h"
#include "trainers/lib/optim/adam.h"
#include "trainers/lib/optim/sgd.h"

using namespace gaze;
using namespace gaze::test;

namespace {

template <typename Optimizer>
std::vector<double> three_steps(Optimizer& optimizer, Tensor& p) {
  Tensor c = from_vector(std::vector<double>{1, 2, 3}, {3});
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    (sum(pow(p, 3.0)) + sum(p * c)).backward();
    optimizer.step();
  }
  return p.to_vector<double>();
}

Tensor start() { return from_vector(std::vector<double>{1.0, -2.0, 0.5}, {3}).set_requires_grad(true); }

}  // namespace

TEST_CASE("Adam with L2 weight decay matches torch.optim.Adam") {
  Tensor p = start();
  Adam adam({p}, AdamOptions{.lr = 0.1, .weight_decay = 0.05});
  check_close(from_vector(three_steps(adam, p), {3}), {0.702554032852242, -2.30047717809407, 0.200910883118659}, 1e-12);
}

TEST_CASE("AdamW's decoupled weight decay matches torch.optim.AdamW") {
  Tensor p = start();
  Adam adamw({p}, AdamOptions{.lr = 0.1, .weight_decay = 0.05, .decoupled = true});
  check_close(from_vector(three_steps(adamw, p), {3}), {0.689318702315081, -2.26910943869879, 0.19495053822837}, 1e-12);
}

TEST_CASE("SGD with Nesterov momentum and weight decay matches torch.optim.SGD") {
  Tensor p = start();
  SGD sgd({p}, SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
  check_close(from_vector(three_steps(sgd, p), {3}), {-0.940778713682065, -220.758538491705, -2.91500502200172}, 1e-12);
}

TEST_CASE("optimizers reject bad options") {
  Tensor p = start();
  CHECK_THROWS_WITH_AS(Adam({p}, AdamOptions{.beta1 = 1.0}), doctest::Contains("betas must be in [0, 1)"), Error);
  CHECK_THROWS_WITH_AS(SGD({p}, SGDOptions{.nesterov = true}), doctest::Contains("nesterov needs a positive momentum"), Error);
}

TEST_CASE("SGD's one-pass f32 update gives the bits of the tensor expressions it stands for") {
  for (SGDOptions options : {SGDOptions{.lr = 0.1}, SGDOptions{.lr = 0.05, .momentum = 0.9},
                             SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01},
                             SGDOptions{.lr = 0.3, .weight_decay = 0.002}}) {
    CAPTURE(options.momentum);
    CAPTURE(options.weight_decay);
    Generator g(5);
    Tensor p = randn({37, 3}, DType::f32, &g).set_requires_grad(true);
    Tensor want = clone(p.detach()), buffer;
    SGD sgd({p}, options);
    for (int step = 0; step < 3; ++step) {
      Tensor c = randn({37, 3}, DType::f32, &g);
      sgd.zero_grad();
      sum(p * c).backward();  // p.grad is c exactly
      sgd.step();
      NoGradGuard no_grad;
      Tensor grad = c;
      if (options.weight_decay != 0) grad = grad + want * options.weight_decay;
      if (options.momentum != 0) {
        buffer = buffer.defined() ? buffer * options.momentum + grad : clone(grad);
        grad = options.nesterov ? grad + buffer * options.momentum : buffer;
      }
      want = want - grad * options.lr;
    }
    CHECK(p.detach().to_vector<float>() == want.to_vector<float>());
  }
}
