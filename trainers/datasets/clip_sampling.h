// Which frames of a video a clip takes: mmaction2's SampleFrames(clip_len, frame_interval,
// num_clips), frame indices counted from 0 (add the list's start_index to name the files).
//
// Training (random offsets): the video is cut into num_clips equal segments and each clip starts at
// a random offset in its segment; TSN's sparse sampling is clip_len 1 with num_clips segments.
// Testing (test_mode): clips are evenly spaced over the video, the same every time. Indices past
// the last frame wrap around (out_of_bound_opt 'loop'), so a short video still fills a clip.
#pragma once
#include <cstdint>
#include <vector>

#include "framework/random.h"

namespace gaze {

struct ClipSampling {
  int64_t clip_len = 8;        // frames per clip
  int64_t frame_interval = 1;  // temporal stride between a clip's frames
  int64_t num_clips = 1;       // clips per example, concatenated in time (TSN: segments)
};

// num_clips × clip_len frame indices in [0, total_frames), clip after clip: mmaction2's
// _get_train_clips with offsets drawn from `rng` (one draw per clip, or per clip and sorted when the
// video is shorter than num_clips segments of a clip).
std::vector<int64_t> sample_train_frames(int64_t total_frames, const ClipSampling& sampling, Generator& rng);

// The frames of `views` test views, view after view, each num_clips × clip_len indices: mmaction2's
// _get_test_clips for num_clips × views evenly spaced clips (clip_len 1: each segment's middle
// frame; longer clips: offsets evenly spread from 0 to total_frames - clip_len × frame_interval,
// rounded). View v takes clips v, v + views, v + 2·views, ...: each view spans the whole video,
// and with num_clips 1 the views are mmaction2's test clips in order.
std::vector<int64_t> sample_test_frames(int64_t total_frames, const ClipSampling& sampling, int64_t views);

}  // namespace gaze
