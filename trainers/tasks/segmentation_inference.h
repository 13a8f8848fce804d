// Inference of a segmentation model on whole images of any size, as mmseg's EncoderDecoder does at
// test time: "whole" runs the image through at once; "slide" runs overlapping crops and averages
// the logits where they overlap (mmseg's slide_inference). Either way the logits are resized
// back to the label map's size before the argmax, so every labelled pixel is scored.
#pragma once
#include <cstdint>
#include <vector>

#include "layers/module.h"
#include "trainers/lib/data/segmentation_transforms.h"

namespace gaze {

// One window [top, bottom) x [left, right) of an image.
struct SlideWindow {
  int64_t top = 0, left = 0, bottom = 0, right = 0;
};

// mmseg's windows: a grid of max(size - crop + stride - 1, 0) / stride + 1 positions per axis at
// multiples of the stride; windows that would overhang the image are moved back inside it (the
// last row and column end at the border), and on an image smaller than the crop the window is the
// image.
std::vector<SlideWindow> slide_windows(Size2 image, Size2 crop, Size2 stride);

// The model's main output ("out") for image [1, C, H, W]: [1, classes, H, W].
Tensor whole_logits(Module& model, const Tensor& image);
// The same averaged over slide_windows: every pixel's logits are the mean of the windows that
// cover it.
Tensor slide_logits(Module& model, const Tensor& image, Size2 crop, Size2 stride);

// Logits [N, C, h, w] resized to `size` (bilinear, align_corners false, as mmseg's resize).
Tensor resize_logits(const Tensor& logits, Size2 size);

}  // namespace gaze
