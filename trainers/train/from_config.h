// The config's sections turned into the objects a run needs. Every key the trainer reads is read
// here or in trainer.cpp, so the schema (trainers/config/schema.cpp) and its use stay side by side.
#pragma once
#include <memory>

#include "layers/module.h"
#include "trainers/config/config.h"
#include "trainers/data/loader.h"
#include "trainers/optim/optimizer.h"
#include "trainers/optim/schedule.h"

namespace gaze {

// model.*: the backbone with model.attention inserted per model.attention_placement, on
// train.device. The weights' initialization draws from the default generator: seed it
// (train.seed) first.
std::shared_ptr<Module> build_model(const Config& config);
// optim.*: SGD, Adam or AdamW over `parameters`.
std::unique_ptr<Optimizer> build_optimizer(const Config& config, const std::vector<Tensor>& parameters);
// schedule.* with optim.lr as the peak rate and train.epochs as the length.
Schedule build_schedule(const Config& config);
// data.transforms, with augmentation for training only.
TransformOptions build_transforms(const Config& config);

}  // namespace gaze
