#include "trainers/datasets/video_clip_set.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"
#include "trainers/datasets/frame_resample.h"

namespace gaze {

VideoClipSet::VideoClipSet(std::vector<VideoListEntry> videos, VideoFrameReader reader, VideoClipOptions options)
    : videos_(std::move(videos)), reader_(std::move(reader)), options_(options) {
  const VideoClipOptions& o = options_;
  if (o.crop_size < 1 || o.short_side < o.crop_size)
    fail("video clips: data.image_size (the crop, {}) must be positive and at most data.short_side ({})", o.crop_size, o.short_side);
  if (o.test_views < 1) fail("video clips: data.test_views ({}) must be positive", o.test_views);
  if (o.test_crops != 1 && o.test_crops != 3) fail("video clips: data.test_crops is {}; use 1 (centre crop) or 3 (three crops)", o.test_crops);
  if (o.classes < 1) fail("video clips: the number of classes ({}) must be positive", o.classes);
  if (videos_.empty()) fail("video clips: no videos");
  for (const VideoListEntry& v : videos_) {
    if (v.total_frames < 1) fail("video clips: {} has no frames", v.path);
    if (v.label >= o.classes)
      fail("line {} ({}): label {} is out of range: there are {} classes (labels 0..{}); fix the list or set model.num_classes", v.line, v.path,
           v.label, o.classes, o.classes - 1);
  }
  for (int64_t c = 0; c < o.classes; ++c) names_.push_back(fmt::format("class {}", c));
}

int64_t VideoClipSet::size() const { return videos() * examples_per_video(); }

Shape VideoClipSet::input_shape() const {
  return {3, options_.sampling.num_clips * options_.sampling.clip_len, options_.crop_size, options_.crop_size};
}

std::vector<int64_t> VideoClipSet::example_frames(int64_t index) const {
  const int64_t per_video = examples_per_video();
  const VideoListEntry& v = video(index / per_video);
  const int64_t views = options_.training ? 1 : options_.test_views;
  const int64_t view = options_.training ? 0 : (index % per_video) / options_.test_crops;
  const std::vector<int64_t> all = sample_test_frames(v.total_frames, options_.sampling, views);
  const int64_t length = options_.sampling.num_clips * options_.sampling.clip_len;
  return {all.begin() + view * length, all.begin() + (view + 1) * length};
}

void VideoClipSet::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  if (index < 0 || index >= size()) fail("video clips: example {} is outside [0, {})", index, size());
  const int64_t per_video = examples_per_video();
  const VideoListEntry& v = video(index / per_video);
  const bool random = options_.training && augment != nullptr;
  const std::vector<int64_t> frames = random ? sample_train_frames(v.total_frames, options_.sampling, *augment) : example_frames(index);
  // Where the crop lies, as fractions of the free room: drawn once for the clip.
  double across = 0.5, down = 0.5;
  bool mirror = false;
  if (random) {
    across = augment->uniform();
    down = augment->uniform();
    mirror = augment->uniform() < 0.5;
  }
  const int64_t crop_index = options_.training ? 0 : index % per_video % options_.test_crops;
  const std::vector<DecodedImage> images = reader_(v, frames);
  if (images.size() != frames.size()) fail("video clips: {}: the reader returned {} frames for {} asked", v.path, images.size(), frames.size());
  const int64_t crop = options_.crop_size, plane = crop * crop, length = static_cast<int64_t>(frames.size());
  for (int64_t t = 0; t < length; ++t) {
    const DecodedImage& image = images[static_cast<size_t>(t)];
    const auto [height, width] = resize_short_side(image.height, image.width, options_.short_side);
    FrameWindow w{height, width, 0, 0, crop, crop, mirror};
    const int64_t room_y = height - crop, room_x = width - crop;
    w.top = std::min(room_y, static_cast<int64_t>(down * static_cast<double>(room_y + 1)));
    w.left = std::min(room_x, static_cast<int64_t>(across * static_cast<double>(room_x + 1)));
    if (!random) w.top = room_y / 2, w.left = room_x / 2;
    if (crop_index != 1 && options_.test_crops == 3) {  // ThreeCrop: 0 the start of the longer side, 2 its end, 1 the centre
      if (width >= height)
        w.left = crop_index == 0 ? 0 : room_x;
      else
        w.top = crop_index == 0 ? 0 : room_y;
    }
    resample_frame(image, w, input + t * plane, length * plane);
  }
  *target = v.label;
}

}  // namespace gaze
