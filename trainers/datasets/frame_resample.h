// One decoded video frame into a clip tensor's planes: resized (bilinear, pixel centres aligned as
// OpenCV's INTER_LINEAR and mmcv's imresize do), cropped, optionally mirrored, and normalized with
// the ImageNet statistics mmaction2 and torchreid normalize with.
#pragma once
#include <array>
#include <cstdint>

#include "trainers/lib/io/image_file.h"

namespace gaze {

// mean and std of RGB in [0, 255] (mmaction2's img_norm_cfg; torchreid's 0.485/0.229... × 255).
inline constexpr std::array<float, 3> kImageNetMean{123.675f, 116.28f, 103.53f};
inline constexpr std::array<float, 3> kImageNetStd{58.395f, 57.12f, 57.375f};

// Where the output window lies in the resized frame.
struct FrameWindow {
  int64_t resized_height = 0, resized_width = 0;  // the whole frame is resized to this
  int64_t top = 0, left = 0, height = 0, width = 0;  // then this window of it is kept
  bool mirror = false;                               // and flipped left-right
};

// The resized size whose shorter side is `short_side` (the longer keeps the aspect ratio, rounded
// as mmcv's rescale_size does).
std::array<int64_t, 2> resize_short_side(int64_t height, int64_t width, int64_t short_side);

// Writes `frame` (3 channels) through `window` into out[c * channel_stride + y * width + x],
// (value - mean) / std. The window must lie inside the resized frame.
void resample_frame(const DecodedImage& frame, const FrameWindow& window, float* out, int64_t channel_stride);

}  // namespace gaze
