#include "trainers/tasks/reid_video_data.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"
#include "trainers/datasets/duke_video_layout.h"
#include "trainers/datasets/mars_layout.h"
#include "trainers/datasets/tracklet_frames.h"
#include "trainers/tasks/task_support.h"

namespace gaze {

namespace {

// Names for the targets of query and gallery tracklets: their dataset ids 0..largest.
std::vector<std::string> reid_id_names(const std::vector<Tracklet>& a, const std::vector<Tracklet>& b) {
  int64_t largest = 0;
  for (const auto* set : {&a, &b})
    for (const Tracklet& t : *set) largest = std::max(largest, t.identity);
  std::vector<std::string> names;
  for (int64_t id = 0; id <= largest; ++id) names.push_back(fmt::format("id {}", id));
  return names;
}

std::vector<Tracklet> first_tracklets(std::vector<Tracklet> tracklets, int64_t limit) {
  if (limit > 0 && limit < static_cast<int64_t>(tracklets.size())) tracklets.resize(static_cast<size_t>(limit));
  return tracklets;
}

}  // namespace

ReidVideoSets make_reid_video_sets(const Config& config) {
  const std::string root = config.text("data.root");
  VideoReidSplits s = config.text("data.dataset") == "mars" ? read_mars(root) : read_duke_video(root);
  const std::vector<int64_t> size = config.integers("data.frame_size");
  if (size.size() != 2) fail("{}: data.frame_size is [height, width], e.g. [256, 128]", config.where("data.frame_size"));
  TrackletFramesOptions o{.frames = config.integer("data.frames"), .height = size[0], .width = size[1]};
  const std::vector<std::string> names = reid_id_names(s.query, s.gallery);
  ReidVideoSets sets;
  sets.train = std::make_unique<TrackletFrames>(std::move(s.train), o, std::move(s.train_names));
  sets.query = std::make_unique<TrackletFrames>(first_tracklets(std::move(s.query), config.integer("data.test_limit")), o, names);
  sets.gallery = std::make_unique<TrackletFrames>(std::move(s.gallery), o, names);
  return sets;
}

std::vector<ConfigKey> reid_video_keys(const ConfigKey& instances) {
  return {frames_key("frames sampled from each tracklet (torchreid's seq_len): restricted random sampling in training, evenly spaced in testing"),
          with_range(config_key("data", "frame_size", OptionType::integer_list, "[256, 128]", "height and width every frame is resized to"), 8,
                     2048),
          instances};
}

}  // namespace gaze
