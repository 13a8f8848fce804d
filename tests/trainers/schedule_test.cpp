// Learning-rate schedules against values computed by hand from their definitions.
#include "support/test_support.h"
#include "trainers/lib/optim/schedule.h"

using namespace gaze;

TEST_CASE("warm-up ramps linearly from 0, then each schedule decays as defined") {
  Schedule warm(0.1, ScheduleOptions{.name = "constant", .warmup_epochs = 2});
  CHECK(warm.learning_rate(0.0) == 0.0);
  CHECK(warm.learning_rate(0.5) == doctest::Approx(0.025));
  CHECK(warm.learning_rate(2.0) == doctest::Approx(0.1));
  Schedule step(0.1, ScheduleOptions{.name = "step", .step_size = 3, .gamma = 0.5});
  CHECK(step.learning_rate(2.9) == doctest::Approx(0.1));
  CHECK(step.learning_rate(3.0) == doctest::Approx(0.05));
  CHECK(step.learning_rate(6.5) == doctest::Approx(0.025));
  Schedule multi(1.0, ScheduleOptions{.name = "multistep", .milestones = {2, 5}, .gamma = 0.1});
  CHECK(multi.learning_rate(1.9) == doctest::Approx(1.0));
  CHECK(multi.learning_rate(2.0) == doctest::Approx(0.1));
  CHECK(multi.learning_rate(5.0) == doctest::Approx(0.01));
  Schedule cosine(0.1, ScheduleOptions{.name = "cosine", .warmup_epochs = 1, .min_lr = 0.001, .total_epochs = 11});
  CHECK(cosine.learning_rate(1.0) == doctest::Approx(0.1));
  CHECK(cosine.learning_rate(6.0) == doctest::Approx(0.001 + 0.099 * 0.5));  // halfway: cos(π/2) = 0
  CHECK(cosine.learning_rate(11.0) == doctest::Approx(0.001));
  CHECK(cosine.learning_rate(14.0) == doctest::Approx(0.001));  // stays at min_lr past the end
}

TEST_CASE("bad schedules are rejected with the reason") {
  CHECK_THROWS_WITH_AS(Schedule(0.1, ScheduleOptions{.name = "poly"}), doctest::Contains("unknown name 'poly'"), Error);
  CHECK_THROWS_WITH_AS(Schedule(0.1, ScheduleOptions{.name = "cosine", .warmup_epochs = 3, .total_epochs = 3}),
                       doctest::Contains("cosine needs more epochs"), Error);
  CHECK_THROWS_WITH_AS(Schedule(0.1, ScheduleOptions{.name = "multistep", .milestones = {5, 2}}), doctest::Contains("increasing"), Error);
}
