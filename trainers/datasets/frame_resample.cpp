#include "trainers/datasets/frame_resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "framework/error.h"

namespace gaze {

std::array<int64_t, 2> resize_short_side(int64_t height, int64_t width, int64_t short_side) {
  const double scale = static_cast<double>(short_side) / static_cast<double>(std::min(height, width));
  return {static_cast<int64_t>(static_cast<double>(height) * scale + 0.5), static_cast<int64_t>(static_cast<double>(width) * scale + 0.5)};
}

namespace {

// Source coordinate of output pixel `i` when `in` pixels are resized to `out`: the two neighbours
// and the second one's weight, clamped at the borders.
struct ResampleTap {
  int64_t first = 0, second = 0;
  float weight = 0;
};

std::vector<ResampleTap> resample_taps(int64_t in, int64_t out) {
  std::vector<ResampleTap> taps(static_cast<size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (int64_t i = 0; i < out; ++i) {
    const double source = std::max(0.0, (static_cast<double>(i) + 0.5) * scale - 0.5);
    const auto first = std::min(static_cast<int64_t>(source), in - 1);
    ResampleTap& t = taps[static_cast<size_t>(i)];
    t.first = first;
    t.second = std::min(first + 1, in - 1);
    t.weight = static_cast<float>(source - static_cast<double>(first));
  }
  return taps;
}

}  // namespace

void resample_frame(const DecodedImage& frame, const FrameWindow& w, float* out, int64_t channel_stride) {
  if (frame.channels != 3) fail("resample_frame: the frame has {} channels; frames are read as RGB", frame.channels);
  if (w.top < 0 || w.left < 0 || w.top + w.height > w.resized_height || w.left + w.width > w.resized_width || w.height < 1 || w.width < 1)
    fail("resample_frame: window {}x{} at ({}, {}) is outside the resized {}x{} frame", w.height, w.width, w.top, w.left, w.resized_height,
         w.resized_width);
  const std::vector<ResampleTap> rows = resample_taps(frame.height, w.resized_height);
  const std::vector<ResampleTap> cols = resample_taps(frame.width, w.resized_width);
  for (int64_t y = 0; y < w.height; ++y) {
    const ResampleTap& r = rows[static_cast<size_t>(w.top + y)];
    for (int64_t x = 0; x < w.width; ++x) {
      const int64_t source_x = w.left + (w.mirror ? w.width - 1 - x : x);
      const ResampleTap& c = cols[static_cast<size_t>(source_x)];
      for (int64_t ch = 0; ch < 3; ++ch) {
        const float top = frame.at(r.first, c.first, ch) * (1 - c.weight) + frame.at(r.first, c.second, ch) * c.weight;
        const float bottom = frame.at(r.second, c.first, ch) * (1 - c.weight) + frame.at(r.second, c.second, ch) * c.weight;
        const float value = top * (1 - r.weight) + bottom * r.weight;
        out[ch * channel_stride + y * w.width + x] = (value - kImageNetMean[static_cast<size_t>(ch)]) / kImageNetStd[static_cast<size_t>(ch)];
      }
    }
  }
}

}  // namespace gaze
