#include "trainers/datasets/frame_resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "trainers/lib/data/linear_taps.h"

#include "framework/error.h"

namespace gaze {

std::array<int64_t, 2> resize_short_side(int64_t height, int64_t width, int64_t short_side) {
  const double scale = static_cast<double>(short_side) / static_cast<double>(std::min(height, width));
  return {static_cast<int64_t>(static_cast<double>(height) * scale + 0.5), static_cast<int64_t>(static_cast<double>(width) * scale + 0.5)};
}

void resample_frame(const DecodedImage& frame, const FrameWindow& w, float* out, int64_t channel_stride) {
  if (frame.channels != 3) fail("resample_frame: the frame has {} channels; frames are read as RGB", frame.channels);
  if (w.top < 0 || w.left < 0 || w.top + w.height > w.resized_height || w.left + w.width > w.resized_width || w.height < 1 || w.width < 1)
    fail("resample_frame: window {}x{} at ({}, {}) is outside the resized {}x{} frame", w.height, w.width, w.top, w.left, w.resized_height,
         w.resized_width);
  const std::vector<LinearTap> rows = linear_taps(frame.height, w.resized_height);
  const std::vector<LinearTap> cols = linear_taps(frame.width, w.resized_width);
  for (int64_t y = 0; y < w.height; ++y) {
    const LinearTap& r = rows[static_cast<size_t>(w.top + y)];
    for (int64_t x = 0; x < w.width; ++x) {
      const int64_t source_x = w.left + (w.mirror ? w.width - 1 - x : x);
      const LinearTap& c = cols[static_cast<size_t>(source_x)];
      for (int64_t ch = 0; ch < 3; ++ch) {
        const auto cw = static_cast<float>(c.weight), rw = static_cast<float>(r.weight);
        const float top = frame.at(r.low, c.low, ch) * (1 - cw) + frame.at(r.low, c.high, ch) * cw;
        const float bottom = frame.at(r.high, c.low, ch) * (1 - cw) + frame.at(r.high, c.high, ch) * cw;
        const float value = top * (1 - rw) + bottom * rw;
        out[ch * channel_stride + y * w.width + x] = (value - kImageNetMean[static_cast<size_t>(ch)]) / kImageNetStd[static_cast<size_t>(ch)];
      }
    }
  }
}

}  // namespace gaze
