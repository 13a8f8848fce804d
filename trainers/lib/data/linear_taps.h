// Bilinear sampling positions along one axis for a resize of `from` samples to `to` (half-pixel
// centres, PyTorch's align_corners=False and cv2's INTER_LINEAR): the two neighbours and the
// weight of the second, clamped at the borders. Shared by the image, segmentation and video-frame
// resizes.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace gaze {

struct LinearTap {
  int64_t low = 0, high = 0;
  double weight = 0;  // of `high`
};

inline std::vector<LinearTap> linear_taps(int64_t from, int64_t to) {
  std::vector<LinearTap> taps(static_cast<size_t>(to));
  const double scale = static_cast<double>(from) / static_cast<double>(to);
  for (int64_t i = 0; i < to; ++i) {
    const double source = std::max(0.0, (static_cast<double>(i) + 0.5) * scale - 0.5);
    const int64_t low = std::min(static_cast<int64_t>(source), from - 1);
    taps[static_cast<size_t>(i)] = {low, std::min(low + 1, from - 1), source - static_cast<double>(low)};
  }
  return taps;
}

}  // namespace gaze
