#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/lib/optim/schedule.h"
#include "trainers/app/optimizer_from_config.h"

namespace gaze {

namespace {

class ScheduleHook final : public Hook {
 public:
  explicit ScheduleHook(Schedule schedule) : schedule_(std::move(schedule)) {}

  void before_step(TrainingRun& run) override {
    const TrainerState& s = run.state;
    run.optimizer.set_lr(schedule_.learning_rate(s.epoch + static_cast<double>(s.step_in_epoch) / run.steps_per_epoch));
  }

 private:
  Schedule schedule_;
};

}  // namespace

std::unique_ptr<Hook> make_schedule_hook(const Config& config) { return std::make_unique<ScheduleHook>(build_schedule(config)); }

}  // namespace gaze
