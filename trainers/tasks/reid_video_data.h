// The re-ID task's real datasets, made from the config: MARS and DukeMTMC-VideoReID
// (trainers/datasets/mars_layout.h, duke_video_layout.h), and the config keys they read.
#pragma once
#include <memory>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"
#include "trainers/lib/data/example_source.h"

namespace gaze {

struct ReidVideoSets {
  std::unique_ptr<ExampleSource> train, query, gallery;
};

// data.dataset mars or duke_video: reads and checks the tree under data.root.
ReidVideoSets make_reid_video_sets(const Config& config);

// The keys of datasets mars and duke_video (data.instances is the re-ID task's PK sampler's,
// declared alike by every re-ID dataset: `instances`).
std::vector<ConfigKey> reid_video_keys(const ConfigKey& instances);

}  // namespace gaze
