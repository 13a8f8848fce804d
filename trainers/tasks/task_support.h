// What the tasks share: walking a split in order on the run's device, the synthetic sets' sizes
// (data.*_size with the task's defaults), the Fashion-MNIST items they are drawn from, and the
// Non-local settings of model.attention.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/lib/data/loader.h"

namespace gaze {

// Every example of `source` in order, in batches of data.batch_size, without augmentation, moved
// to train.device; `fn(batch, first)` gets each batch and the index of its first example. Runs
// without gradient.
void for_each_batch(const ExampleSource& source, const Config& config, const std::function<void(const Batch& batch, int64_t first)>& fn);

// data.<key> when it is set (non-zero), else `fallback`.
int64_t size_or(const Config& config, const std::string& key, int64_t fallback);

// Fashion-MNIST's train and test images: the items the synthetic sets are drawn from (the train
// split's for training and validation, the test split's for testing, so no item repeats).
struct ItemSets {
  ImageSet train, test;
};
ItemSets load_items(const Config& config);

// The config itself, once model.backbone is one of `allowed` for its data.dataset (for use first
// in a task's initializer list, so a wrong backbone is reported before any data is loaded).
const Config& check_backbone(const Config& config, const std::vector<std::string>& allowed);

// model.in_channels must be the data's channels.
void check_in_channels(const Config& config, int64_t channels);

// model.attention read as a Non-local block for the video and re-ID networks: its mode ("" when
// model.attention is {}) and sub_sample (default true). Another attention type is an error.
struct NonLocalChoice {
  std::string mode;
  bool sub_sample = true;
};
NonLocalChoice nonlocal_choice(const Config& config);

}  // namespace gaze
