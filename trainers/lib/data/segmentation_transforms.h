// The joint image + label transforms of mmseg's training pipeline, on 8-bit pixels: an image and
// its label map are resized, cropped, flipped and padded together, so every label stays on its
// pixel. Images are resized bilinearly (half-pixel centres, rounded back to 8 bits, as cv2 does),
// labels by nearest neighbour (a label is never blended).
#pragma once
#include <cstdint>
#include <vector>

#include "framework/random.h"

namespace gaze {

// An image (height x width x channels bytes, interleaved) and its label map (height x width).
struct LabelledImage {
  int64_t height = 0, width = 0, channels = 3;
  std::vector<uint8_t> pixels, labels;
};

struct Size2 {
  int64_t height = 0, width = 0;
};

// mmcv's rescale_size with keep_ratio: the largest size of the image's aspect ratio whose long
// side is at most max(scale) and whose short side is at most min(scale) (scale given as
// {long, short} or {short, long}: the order does not matter), each side rounded.
Size2 keep_ratio_size(Size2 image, Size2 scale);

// The image bilinearly and the labels by nearest neighbour, to `size`.
LabelledImage resize_labelled(const LabelledImage& in, Size2 size);

// mmseg's RandomResize(scale, ratio_range, keep_ratio=True): the scale times a ratio drawn
// uniformly from [min_ratio, max_ratio], then keep_ratio_size. One draw.
LabelledImage random_resize(const LabelledImage& in, Size2 scale, double min_ratio, double max_ratio, Generator& rng);

// mmseg's RandomCrop(crop_size, cat_max_ratio, ignore_index 255): a window of at most `crop` at a
// uniform offset; with cat_max_ratio < 1 the window is drawn again (up to 10 times) while one
// class covers cat_max_ratio or more of its labelled pixels, or it holds fewer than two classes.
// Two draws per window.
LabelledImage random_crop(const LabelledImage& in, Size2 crop, double cat_max_ratio, Generator& rng);
// The window at (top, left), clipped to the image.
LabelledImage crop_labelled(const LabelledImage& in, int64_t top, int64_t left, Size2 crop);

// Mirrors left-right with probability `probability` (one draw).
void random_flip(LabelledImage& sample, double probability, Generator& rng);

// mmseg's PhotoMetricDistortion on a 3-channel image (labels untouched), each step with
// probability 1/2: brightness + U(-32, 32); then, in a random order around saturation and hue,
// contrast x U(0.5, 1.5); saturation x U(0.5, 1.5) and hue + an integer in [-18, 18) in 8-bit HSV
// (cv2's convention: hue in [0, 180)). Each step clips to [0, 255] and truncates to 8 bits.
void photometric_distortion(LabelledImage& sample, Generator& rng);

// (pixel - mean[c]) / std[c] into `input` ([channels, out.height, out.width] floats) and the
// labels into `target` (out.height x out.width), padded at the bottom and right to `out` with 0
// (image) and 255 (labels): mmseg's Normalize then Pad. `out` must be at least the sample's size.
void write_normalized(const LabelledImage& sample, const std::vector<double>& mean, const std::vector<double>& std, Size2 out,
                      float* input, int64_t* target);

}  // namespace gaze
