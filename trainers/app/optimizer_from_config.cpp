#include "trainers/app/optimizer_from_config.h"

#include "trainers/lib/optim/adam.h"
#include "trainers/lib/optim/sgd.h"

namespace gaze {

std::unique_ptr<Optimizer> build_optimizer(const Config& config, const std::vector<Tensor>& parameters) {
  const std::string name = config.text("optim.name");
  const double lr = config.number("optim.lr");
  const double weight_decay = config.number("optim.weight_decay");
  if (name == "sgd") {
    const double momentum = config.number("optim.momentum");
    return std::make_unique<SGD>(parameters, SGDOptions{.lr = lr, .momentum = momentum, .nesterov = config.boolean("optim.nesterov"),
                                                        .weight_decay = weight_decay});
  }
  return std::make_unique<Adam>(parameters, AdamOptions{.lr = lr, .weight_decay = weight_decay, .decoupled = name == "adamw"});
}

Schedule build_schedule(const Config& config) {
  ScheduleOptions options;
  options.name = config.text("schedule.name");
  options.warmup_epochs = config.number("schedule.warmup_epochs");
  options.step_size = config.integer("schedule.step_size");
  options.milestones = config.integers("schedule.milestones");
  options.gamma = config.number("schedule.gamma");
  options.min_lr = config.number("schedule.min_lr");
  options.total_epochs = config.integer("train.epochs");
  return Schedule(config.number("optim.lr"), options);
}

}  // namespace gaze
