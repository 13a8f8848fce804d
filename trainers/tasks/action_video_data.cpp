#include "trainers/tasks/action_video_data.h"

#include <algorithm>
#include <filesystem>

#include "framework/error.h"
#include "trainers/datasets/rawframe_folders.h"
#include "trainers/datasets/video_clip_set.h"
#include "trainers/datasets/video_file_clips.h"
#include "trainers/datasets/video_lists.h"
#include "trainers/tasks/task_support.h"

namespace gaze {

namespace {

constexpr int64_t kVideoCropSize = 112;

// A list key's file: absolute, or relative to data.root.
std::string video_list_path(const Config& config, const std::string& key) {
  const std::filesystem::path list = config.text(key);
  return list.is_absolute() ? list.string() : (std::filesystem::path(config.text("data.root")) / list).string();
}

VideoClipOptions video_clip_options(const Config& config, bool training, int64_t classes) {
  VideoClipOptions o;
  o.sampling.clip_len = config.integer("data.frames");
  o.sampling.frame_interval = config.integer("data.frame_interval");
  o.sampling.num_clips = config.integer("data.num_clips");
  o.crop_size = size_or(config, "data.image_size", kVideoCropSize);
  // mmaction2's usual pair is a 224 crop of frames resized to 256 on the shorter side: the same ratio.
  o.short_side = size_or(config, "data.short_side", (o.crop_size * 8 + 6) / 7);
  o.training = training;
  o.test_views = config.integer("data.test_views");
  o.test_crops = config.integer("data.test_crops");
  o.classes = classes;
  return o;
}

// The first `limit` entries (0: all), as data.train_limit and data.test_limit ask.
std::vector<VideoListEntry> first_videos(std::vector<VideoListEntry> videos, int64_t limit) {
  if (limit > 0 && limit < static_cast<int64_t>(videos.size())) videos.resize(static_cast<size_t>(limit));
  return videos;
}

}  // namespace

ActionVideoSets make_action_video_sets(const Config& config) {
  const std::string dataset = config.text("data.dataset");
  const bool rawframes = dataset == "rawframes";
  if (config.text("data.train_list").empty() || config.text("data.test_list").empty())
    fail("{}: data.dataset {} needs data.train_list and data.test_list, the annotation lists (docs/datasets.md)", config.where("data.dataset"),
         dataset);
  struct Listed {
    std::string path;
    std::vector<VideoListEntry> videos;
  };
  auto read_list = [&](const std::string& key, int64_t limit) {
    Listed l;
    if (config.text(key).empty()) return l;
    l.path = video_list_path(config, key);
    l.videos = first_videos(rawframes ? read_rawframe_list(l.path) : read_video_list(l.path), limit);
    return l;
  };
  Listed train = read_list("data.train_list", config.integer("data.train_limit"));
  Listed val = read_list("data.val_list", config.integer("data.test_limit"));
  Listed test = read_list("data.test_list", config.integer("data.test_limit"));

  VideoFrameReader reader;
  if (rawframes) {
    RawframeLayout layout{config.text("data.root"), config.text("data.filename_tmpl"), config.integer("data.start_index")};
    for (const Listed* l : {&train, &val, &test}) check_rawframe_folders(layout, l->videos, l->path);
    reader = rawframe_reader(layout);
  } else {
    for (Listed* l : {&train, &val, &test}) count_video_file_frames(config.text("data.root"), l->videos, l->path);
    reader = video_file_reader(config.text("data.root"));
  }

  int64_t largest = 0;
  for (const Listed* l : {&train, &val, &test})
    for (const VideoListEntry& v : l->videos) largest = std::max(largest, v.label);
  ActionVideoSets sets;
  sets.classes = config.integer("model.num_classes") > 0 ? config.integer("model.num_classes") : largest + 1;
  auto make = [&](const Listed& l, bool training) -> std::unique_ptr<ExampleSource> {
    try {
      return std::make_unique<VideoClipSet>(l.videos, reader, video_clip_options(config, training, sets.classes));
    } catch (const Error& e) {
      fail("{}: {}", l.path, e.what());
    }
  };
  sets.train = make(train, true);
  if (!val.videos.empty()) sets.val = make(val, false);
  sets.test = make(test, false);
  return sets;
}

std::vector<ConfigKey> video_file_keys() {
  return {
      config_key("data", "train_list", OptionType::text, "\"\"", "annotation list of the training videos, relative to data.root (mmaction2's ann_file_train)"),
      config_key("data", "val_list", OptionType::text, "\"\"", "annotation list of the validation videos; empty: no validation"),
      config_key("data", "test_list", OptionType::text, "\"\"", "annotation list of the test videos (mmaction2's ann_file_test)"),
      frames_key("frames per clip (mmaction2's clip_len)"),
      image_size_key(kVideoCropSize),
      with_range(config_key("data", "frame_interval", OptionType::integer, "1", "frames between a clip's frames (mmaction2's frame_interval)"), 1, 64),
      with_range(config_key("data", "num_clips", OptionType::integer, "1",
                            "clips per example, concatenated in time (mmaction2's num_clips; TSN's segments with frames 1)"),
                 1, 64),
      with_range(config_key("data", "test_views", OptionType::integer, "1", "evenly spaced clips per test video; their scores are averaged"), 1, 64),
      with_range(config_key("data", "test_crops", OptionType::integer, "1", "crops per test clip: 1 (centre) or 3 (mmaction2's ThreeCrop)"), 1, 3),
      with_range(config_key("data", "short_side", OptionType::integer, "0", "frames are resized so their shorter side is this; 0: image_size × 8/7"),
                 0, 4096),
  };
}

std::vector<ConfigKey> rawframes_keys() {
  std::vector<ConfigKey> keys = video_file_keys();
  keys.push_back(config_key("data", "filename_tmpl", OptionType::text, "img_{:05}.jpg", "frame file names in a video's folder (mmaction2's filename_tmpl)"));
  keys.push_back(with_range(config_key("data", "start_index", OptionType::integer, "1", "number of a video's first frame file"), 0, {}));
  return keys;
}

}  // namespace gaze
