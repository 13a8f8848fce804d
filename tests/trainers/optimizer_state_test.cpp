// Optimizer state for checkpoints: an optimizer restored from another's state() steps exactly as
// the original does; state from another optimizer or model is refused with a clear message.
#include "support/test_support.h"
#include "trainers/lib/optim/adam.h"
#include "trainers/lib/optim/sgd.h"

using namespace gaze;
using namespace gaze::test;

namespace {

Tensor parameter() { return from_vector(std::vector<double>{1.0, -2.0, 0.5}, {3}).set_requires_grad(true); }

void take_step(Optimizer& optimizer, Tensor& p) {
  optimizer.zero_grad();
  (sum(pow(p, 3.0)) + sum(p * 2.0)).backward();
  optimizer.step();
}

// Two steps on `first`, then its state and values move to `second`; one more step on each.
void check_resumes_exactly(Optimizer& first, Tensor& p1, Optimizer& second, Tensor& p2) {
  take_step(first, p1);
  take_step(first, p1);
  second.load_state(first.state());
  {
    NoGradGuard no_grad;
    p2.copy_(p1.detach());
  }
  take_step(first, p1);
  take_step(second, p2);
  check_close(p2.detach(), p1.detach(), 0);
}

}  // namespace

TEST_CASE("SGD restored from state() continues with the same momentum") {
  Tensor p1 = parameter(), p2 = parameter();
  SGD a({p1}, {.lr = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
  SGD b({p2}, {.lr = 0.05, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
  CHECK(a.state().empty());  // no buffer before the first step
  check_resumes_exactly(a, p1, b, p2);
  CHECK(a.state().size() == 1);
  CHECK(a.state()[0].first == "momentum.0");
}

TEST_CASE("Adam restored from state() continues with the same moments and step count") {
  Tensor p1 = parameter(), p2 = parameter();
  Adam a({p1}, {.lr = 0.1, .weight_decay = 0.05, .decoupled = true});
  Adam b({p2}, {.lr = 0.1, .weight_decay = 0.05, .decoupled = true});
  check_resumes_exactly(a, p1, b, p2);
  CHECK(a.state().size() == 3);
}

TEST_CASE("optimizer state from another optimizer or model is refused") {
  Tensor p = parameter();
  SGD sgd({p}, {.lr = 0.1, .momentum = 0.9});
  Adam adam({p}, {});
  CHECK_THROWS_WITH_AS(sgd.load_state({{"exp_avg.0", zeros({3}, DType::f64)}}), doctest::Contains("written by another optimizer"), Error);
  CHECK_THROWS_WITH_AS(sgd.load_state({{"momentum.4", zeros({3}, DType::f64)}}), doctest::Contains("the model has 1 parameters"), Error);
  CHECK_THROWS_WITH_AS(sgd.load_state({{"momentum.0", zeros({2}, DType::f64)}}), doctest::Contains("has shape [2]"), Error);
  CHECK_THROWS_WITH_AS(adam.load_state({{"momentum.0", zeros({3}, DType::f64)}}), doctest::Contains("written by another optimizer"), Error);
  CHECK_THROWS_WITH_AS(adam.load_state({{"step.0", from_vector(std::vector<int64_t>{2}, {1})}}), doctest::Contains("incomplete"), Error);
}
