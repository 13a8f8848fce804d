// The config's optim.* and schedule.* sections turned into the optimizer and the learning-rate
// schedule of a run (the task builds the model: trainers/tasks/from_config.h).
#pragma once
#include <memory>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/optim/optimizer.h"
#include "trainers/lib/optim/schedule.h"

namespace gaze {

// optim.*: SGD, Adam or AdamW over `parameters`.
std::unique_ptr<Optimizer> build_optimizer(const Config& config, const std::vector<Tensor>& parameters);
// schedule.* with optim.lr as the peak rate and train.epochs as the length.
Schedule build_schedule(const Config& config);

}  // namespace gaze
