#include "trainers/lib/optim/schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "framework/error.h"

namespace gaze {

Schedule::Schedule(double base_lr, ScheduleOptions o) : base_(base_lr), options_(std::move(o)) {
  const auto& n = options_.name;
  if (n != "constant" && n != "step" && n != "multistep" && n != "cosine")
    fail("schedule: unknown name '{}'; schedules: constant, step, multistep, cosine", n);
  if (options_.warmup_epochs < 0) fail("schedule: warmup_epochs must be >= 0, got {}", options_.warmup_epochs);
  if (options_.step_size < 1) fail("schedule: step_size must be >= 1, got {}", options_.step_size);
  if (!std::is_sorted(options_.milestones.begin(), options_.milestones.end()))
    fail("schedule: milestones must be in increasing order");
  if (n == "cosine" && options_.total_epochs <= options_.warmup_epochs)
    fail("schedule: cosine needs more epochs ({}) than warm-up epochs ({})", options_.total_epochs, options_.warmup_epochs);
}

double Schedule::learning_rate(double epoch) const {
  const ScheduleOptions& o = options_;
  if (epoch < o.warmup_epochs) return base_ * epoch / o.warmup_epochs;
  double t = epoch - o.warmup_epochs;
  if (o.name == "step") return base_ * std::pow(o.gamma, std::floor(t / static_cast<double>(o.step_size)));
  if (o.name == "multistep") {
    int64_t passed = std::count_if(o.milestones.begin(), o.milestones.end(), [t](int64_t m) { return static_cast<double>(m) <= t; });
    return base_ * std::pow(o.gamma, static_cast<double>(passed));
  }
  if (o.name == "cosine") {
    double span = static_cast<double>(o.total_epochs) - o.warmup_epochs;
    double progress = std::min(t / span, 1.0);
    return o.min_lr + (base_ - o.min_lr) * (1.0 + std::cos(std::numbers::pi * progress)) / 2.0;
  }
  return base_;
}

}  // namespace gaze
