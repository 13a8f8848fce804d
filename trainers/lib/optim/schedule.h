// Learning-rate schedules, evaluated at a fractional epoch (epoch + step / steps_per_epoch) so a
// rate can change every step. The config's `schedule` section maps onto ScheduleOptions.
//
//   warm-up      epoch < warmup_epochs: lr = base · epoch / warmup_epochs (linear from 0)
//   afterwards, with t = epoch − warmup_epochs and T = total_epochs − warmup_epochs:
//   constant     lr = base
//   step         lr = base · gamma^floor(t / step_size)            (torch StepLR)
//   multistep    lr = base · gamma^(number of milestones <= t)     (torch MultiStepLR)
//   cosine       lr = min_lr + (base − min_lr) · (1 + cos(π t / T)) / 2   (CosineAnnealingLR)
#pragma once
#include <string>
#include <vector>

namespace gaze {

struct ScheduleOptions {
  std::string name = "constant";  // constant, step, multistep, cosine
  double warmup_epochs = 0.0;
  int64_t step_size = 30;
  std::vector<int64_t> milestones;
  double gamma = 0.1;
  double min_lr = 0.0;
  int64_t total_epochs = 1;
};

class Schedule {
 public:
  Schedule(double base_lr, ScheduleOptions options);
  double learning_rate(double epoch) const;

 private:
  double base_;
  ScheduleOptions options_;
};

}  // namespace gaze
