// The config's model.* keys turned into the models' pieces the tasks build, and data.transforms
// into their transforms (the optimizer and schedule: trainers/app/optimizer_from_config.h). The
// keys' schema: trainers/lib/config/schema.cpp.
#pragma once
#include <functional>
#include <memory>

#include "layers/module.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/data/loader.h"

namespace gaze {

// model.*: the classification ResNet with model.attention inserted per
// model.attention_placement, on train.device, with model.num_classes outputs (0: the dataset's
// `dataset_classes`). The weights' initialization draws from the default generator: seed it
// (train.seed) first. Other tasks' models are built by their task (trainers/tasks/).
std::shared_ptr<Module> build_resnet(const Config& config, int64_t dataset_classes);
// model.num_classes, or `dataset_classes` when it is 0; fewer than the data has is an error.
int64_t num_classes(const Config& config, int64_t dataset_classes);
// The layer spec model.attention as a builder taking the channel count (empty when {}).
std::function<std::shared_ptr<Module>(int64_t channels)> attention_builder(const Config& config);
// data.transforms, with augmentation for training only.
TransformOptions build_transforms(const Config& config);

}  // namespace gaze
