// Batch-hard triplet loss: the value of a hand-computed batch, gradients against finite
// differences, and the errors.
#include "autograd/triplet_loss.h"

#include <cmath>

#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;

namespace {
Tensor ids_of(const std::vector<int64_t>& ids) { return from_vector(ids, {static_cast<int64_t>(ids.size())}); }
}  // namespace

TEST_CASE("batch-hard triplet loss of a hand-computed batch; an anchor without a positive is left out of the mean") {
  // f0 (0,0) and f1 (3,0) are id 0; f2 (0,4) and f3 (1,0) are id 1; f4 (100,100) is alone with id 2.
  // Distances: d01 3, d02 4, d03 1, d12 5, d13 2, d23 sqrt(17); f4 is far from everything.
  //   anchor 0: hardest positive 3, hardest negative 1      -> relu(3 - 1 + 0.3)        = 2.3
  //   anchor 1: 3 and 2                                      -> relu(3 - 2 + 0.3)        = 1.3
  //   anchor 2: sqrt(17) and 4                               -> relu(sqrt(17) - 4 + 0.3) = 0.4231056
  //   anchor 3: sqrt(17) and 1                               -> relu(sqrt(17) - 1 + 0.3) = 3.4231056
  //   anchor 4: no positive -> skipped (the mean is over 4 anchors, not 5)
  Tensor f = from_vector(std::vector<double>{0, 0, 3, 0, 0, 4, 1, 0, 100, 100}, {5, 2});
  const double expected = (2.3 + 1.3 + (std::sqrt(17.0) - 3.7) + (std::sqrt(17.0) - 0.7)) / 4.0;
  Tensor loss = batch_hard_triplet_loss(f, ids_of({0, 0, 1, 1, 2}), 0.3);
  CHECK(loss.dim() == 0);
  CHECK(loss.item() == doctest::Approx(expected).epsilon(1e-12));
  CHECK(loss.item() == doctest::Approx(1.8615528128));
  // With a margin of 0 anchor 2's term still counts (sqrt(17) > 4), and f32 gives the same value.
  Tensor f32 = to_dtype(f, DType::f32);
  CHECK(batch_hard_triplet_loss(f32, ids_of({0, 0, 1, 1, 2}), 0.0).item() ==
        doctest::Approx((2.0 + 1.0 + (std::sqrt(17.0) - 4.0) + (std::sqrt(17.0) - 1.0)) / 4.0).epsilon(1e-5));
}

TEST_CASE("gradcheck: batch-hard triplet loss, with active and inactive anchors") {
  Tensor x = leaf({8, 4}, 81);
  Tensor ids = ids_of({0, 0, 0, 1, 1, 1, 2, 2});
  check_gradients([ids](const Inputs& in) { return batch_hard_triplet_loss(in[0], ids, 0.3); }, {x});
  check_gradients([ids](const Inputs& in) { return batch_hard_triplet_loss(in[0], ids, 5.0); }, {x});  // every anchor active
  Tensor unsorted = ids_of({2, 0, 1, 0, 2, 1, 0, 7});  // the lone id 7 is only ever a negative
  check_gradients([unsorted](const Inputs& in) { return batch_hard_triplet_loss(in[0], unsorted, 1.0); }, {x});
}

TEST_CASE("batch-hard triplet loss: coinciding features give a finite gradient") {
  // f0 and f1 are the same point with the same id: their distance is 0, where sqrt has no slope.
  Tensor f = from_vector(std::vector<double>{1, 2, 1, 2, 0, 0, 4, 1}, {4, 2}).set_requires_grad(true);
  Tensor loss = batch_hard_triplet_loss(f, ids_of({0, 0, 1, 1}), 0.3);
  loss.backward();
  REQUIRE(f.grad().defined());
  for (double g : f.grad().to_vector<double>()) CHECK(std::isfinite(g));
  CHECK(std::isfinite(loss.item()));
}

TEST_CASE("batch-hard triplet loss: a batch without any anchor that has both a positive and a negative is an error") {
  Tensor f = zeros({3, 2}, DType::f64);
  CHECK_THROWS_WITH_AS(batch_hard_triplet_loss(f, ids_of({0, 1, 2})), doctest::Contains("pk_epoch_order"), Error);
  CHECK_THROWS_WITH_AS(batch_hard_triplet_loss(f, ids_of({4, 4, 4})), doctest::Contains("none of the 3 examples"), Error);
  CHECK_THROWS_WITH_AS(batch_hard_triplet_loss(f, ids_of({0, 1})), doctest::Contains("ids must be i64 [3]"), Error);
  CHECK_THROWS_WITH_AS(batch_hard_triplet_loss(zeros({3}), ids_of({0, 0, 1})), doctest::Contains("float [N, D]"), Error);
}
