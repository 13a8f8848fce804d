// The action task's real video datasets, made from the config: rawframes (a folder of JPEGs per
// video) and videos (video files decoded with FFmpeg), each listed by mmaction2-style annotation
// lists, and the config keys they read (docs/datasets.md, "Videos: rawframes and video files").
#pragma once
#include <memory>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"
#include "trainers/lib/data/example_source.h"

namespace gaze {

struct ActionVideoSets {
  std::unique_ptr<ExampleSource> train, val, test;  // val is null without data.val_list
  int64_t classes = 0;                               // the largest label in the lists + 1, or model.num_classes
};

// data.dataset rawframes or videos: reads the lists and checks the tree (the first and last frame
// of every rawframe folder; that every video file opens) before anything is trained.
ActionVideoSets make_action_video_sets(const Config& config);

// The keys of dataset `rawframes` and of dataset `videos`.
std::vector<ConfigKey> rawframes_keys();
std::vector<ConfigKey> video_file_keys();

}  // namespace gaze
