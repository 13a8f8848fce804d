// What the tasks share: the synthetic sets' sizes (data.*_size with the task's defaults), the
// Fashion-MNIST items they are drawn from, and the Non-local settings of model.attention. (How
// they walk a split to evaluate it: sharded_evaluation.h.)
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/lib/data/loader.h"

namespace gaze {

// data.<key> when it is set (non-zero), else `fallback`.
int64_t size_or(const Config& config, const std::string& key, int64_t fallback);

// Fashion-MNIST's train and test images: the items the synthetic sets are drawn from (the train
// split's for training and validation, the test split's for testing, so no item repeats).
struct ItemSets {
  ImageSet train, test;
};
ItemSets load_items(const Config& config);

// Keys several components read, declared alike by each (the registry checks that they agree):
// model.attention_blocks (the Non-local backbones), data.train_size / val_size / test_size and
// data.image_size (the synthetic sets, with `fallback` the size 0 stands for), data.frames.
ConfigKey nonlocal_blocks_key();
ConfigKey set_size_key(const std::string& name, const std::string& doc);
ConfigKey image_size_key(int64_t fallback);
ConfigKey frames_key(const std::string& doc);

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
