// VideoClipSet: clips of real videos for action recognition, whatever stores the frames (a folder
// of JPEGs per video, rawframe_folders.h; a video file, video_file_clips.h). It samples frame
// indices as mmaction2's SampleFrames does (clip_sampling.h), asks the reader for those frames, and
// turns them into a normalized [3, num_clips × clip_len, crop, crop] clip:
//   training: random offsets; every frame resized so its shorter side is short_side, one random
//             crop_size square for the whole clip, mirrored with probability 1/2;
//   testing:  each video gives test_views × test_crops examples (evenly spaced views, then the
//             centre crop, or three crops along the longer side as mmaction2's ThreeCrop), all in
//             the video's group, so video accuracy averages their scores (multi-view testing).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trainers/datasets/clip_sampling.h"
#include "trainers/datasets/video_lists.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

struct VideoClipOptions {
  ClipSampling sampling;
  int64_t crop_size = 112;   // side of the square the network sees
  int64_t short_side = 128;  // frames are resized so their shorter side is this (>= crop_size)
  bool training = true;
  int64_t test_views = 1;    // testing: clips per video
  int64_t test_crops = 1;    // testing: 1 (centre) or 3 (ThreeCrop)
  int64_t classes = 0;       // labels are 0..classes-1
};

// The frames `frames` (0-based indices, any order, repeats allowed) of one listed video, RGB, in
// that order. Errors name the file.
using VideoFrameReader = std::function<std::vector<DecodedImage>(const VideoListEntry& video, const std::vector<int64_t>& frames)>;

class VideoClipSet : public ExampleSource {
 public:
  // `videos` must have total_frames set. Bad options are a gaze::Error naming the option.
  VideoClipSet(std::vector<VideoListEntry> videos, VideoFrameReader reader, VideoClipOptions options);

  int64_t size() const override;
  Shape input_shape() const override;
  Shape target_shape() const override { return {}; }
  // Training with `augment`: random frames, crop and flip, drawn in that order. Training without
  // it: test view 0, centre crop.
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return names_; }
  // Testing: the video example `index` was cut from; training: the video itself.
  int64_t group(int64_t index) const override { return index / examples_per_video(); }

  int64_t videos() const { return static_cast<int64_t>(videos_.size()); }
  const VideoListEntry& video(int64_t v) const { return videos_[static_cast<size_t>(v)]; }
  int64_t examples_per_video() const { return options_.training ? 1 : options_.test_views * options_.test_crops; }
  // The frame indices example `index` reads (no augmentation): what a test checks.
  std::vector<int64_t> example_frames(int64_t index) const;
  const VideoClipOptions& options() const { return options_; }

 private:
  std::vector<VideoListEntry> videos_;
  VideoFrameReader reader_;
  VideoClipOptions options_;
  std::vector<std::string> names_;
};

}  // namespace gaze
