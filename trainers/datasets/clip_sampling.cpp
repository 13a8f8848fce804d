#include "trainers/datasets/clip_sampling.h"

#include <algorithm>
#include <cmath>

#include "framework/error.h"

namespace gaze {

namespace {

void check_clip_sampling(int64_t total_frames, const ClipSampling& s) {
  if (total_frames < 1) fail("clip sampling: a video needs at least one frame (it has {})", total_frames);
  if (s.clip_len < 1 || s.frame_interval < 1 || s.num_clips < 1)
    fail("clip sampling: clip_len ({}), frame_interval ({}) and num_clips ({}) must be positive", s.clip_len, s.frame_interval, s.num_clips);
}

int64_t draw_below(Generator& rng, int64_t bound) { return std::min(bound - 1, static_cast<int64_t>(rng.uniform() * static_cast<double>(bound))); }

// Each clip's frames from its offset, wrapped into the video (mmaction2's 'loop').
std::vector<int64_t> expand_clip_offsets(const std::vector<int64_t>& offsets, int64_t total_frames, const ClipSampling& s) {
  std::vector<int64_t> frames;
  frames.reserve(offsets.size() * static_cast<size_t>(s.clip_len));
  for (int64_t offset : offsets)
    for (int64_t k = 0; k < s.clip_len; ++k) frames.push_back((offset + k * s.frame_interval) % total_frames);
  return frames;
}

}  // namespace

std::vector<int64_t> sample_train_frames(int64_t total_frames, const ClipSampling& s, Generator& rng) {
  check_clip_sampling(total_frames, s);
  const int64_t span = s.clip_len * s.frame_interval;  // mmaction2's ori_clip_len
  const int64_t average = (total_frames - span + 1) / s.num_clips;
  std::vector<int64_t> offsets(static_cast<size_t>(s.num_clips), 0);
  if (average > 0) {
    for (int64_t i = 0; i < s.num_clips; ++i) offsets[static_cast<size_t>(i)] = i * average + draw_below(rng, average);
  } else if (total_frames > std::max(s.num_clips, span)) {
    for (auto& offset : offsets) offset = draw_below(rng, total_frames - span + 1);
    std::sort(offsets.begin(), offsets.end());
  } else if (average == 0) {
    const double ratio = static_cast<double>(total_frames - span + 1) / static_cast<double>(s.num_clips);
    for (int64_t i = 0; i < s.num_clips; ++i) offsets[static_cast<size_t>(i)] = static_cast<int64_t>(std::nearbyint(static_cast<double>(i) * ratio));
  }
  return expand_clip_offsets(offsets, total_frames, s);
}

std::vector<int64_t> sample_test_frames(int64_t total_frames, const ClipSampling& s, int64_t views) {
  check_clip_sampling(total_frames, s);
  if (views < 1) fail("clip sampling: test views ({}) must be positive", views);
  const int64_t clips = s.num_clips * views;
  std::vector<int64_t> offsets(static_cast<size_t>(clips), 0);
  if (s.clip_len == 1) {  // 2D recognizers: the middle of each of `clips` equal segments
    const double average = static_cast<double>(total_frames) / static_cast<double>(clips);
    for (int64_t i = 0; i < clips; ++i) offsets[static_cast<size_t>(i)] = static_cast<int64_t>(static_cast<double>(i) * average + average / 2.0);
  } else {
    const int64_t max_offset = std::max<int64_t>(total_frames - s.clip_len * s.frame_interval, 0);
    if (clips > 1) {
      const double between = static_cast<double>(max_offset) / static_cast<double>(clips - 1);
      for (int64_t i = 0; i < clips; ++i) offsets[static_cast<size_t>(i)] = static_cast<int64_t>(std::nearbyint(static_cast<double>(i) * between));
    } else {
      offsets[0] = max_offset / 2;
    }
  }
  std::vector<int64_t> ordered;  // view v: clips v, v + views, ...
  for (int64_t v = 0; v < views; ++v)
    for (int64_t k = 0; k < s.num_clips; ++k) ordered.push_back(offsets[static_cast<size_t>(k * views + v)]);
  return expand_clip_offsets(ordered, total_frames, s);
}

}  // namespace gaze
