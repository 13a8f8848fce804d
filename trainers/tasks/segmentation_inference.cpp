#include "trainers/tasks/segmentation_inference.h"

#include <algorithm>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

std::vector<SlideWindow> slide_windows(Size2 image, Size2 crop, Size2 stride) {
  if (crop.height < 1 || crop.width < 1 || stride.height < 1 || stride.width < 1)
    fail("eval.crop_size and eval.stride must be positive (got crop {}x{}, stride {}x{})", crop.height, crop.width, stride.height,
         stride.width);
  if (stride.height > crop.height || stride.width > crop.width)
    fail("eval.stride {}x{} is larger than eval.crop_size {}x{}: pixels between windows would get no prediction", stride.height,
         stride.width, crop.height, crop.width);
  const int64_t rows = std::max<int64_t>(image.height - crop.height + stride.height - 1, 0) / stride.height + 1;
  const int64_t cols = std::max<int64_t>(image.width - crop.width + stride.width - 1, 0) / stride.width + 1;
  std::vector<SlideWindow> windows;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      SlideWindow w;
      w.bottom = std::min(r * stride.height + crop.height, image.height);
      w.right = std::min(c * stride.width + crop.width, image.width);
      w.top = std::max<int64_t>(w.bottom - crop.height, 0);
      w.left = std::max<int64_t>(w.right - crop.width, 0);
      windows.push_back(w);
    }
  return windows;
}

Tensor whole_logits(Module& model, const Tensor& image) { return model.forward_all({image}).at("out"); }

Tensor slide_logits(Module& model, const Tensor& image, Size2 crop, Size2 stride) {
  if (image.dim() != 4 || image.size(0) != 1) fail("slide_logits: expected one image [1, C, H, W], got {}", shape_str(image.shape()));
  const int64_t height = image.size(2), width = image.size(3);
  const std::vector<SlideWindow> windows = slide_windows({height, width}, crop, stride);
  std::vector<float> counts(static_cast<size_t>(height * width), 0.0f);
  Tensor sum_logits;
  for (const SlideWindow& w : windows) {
    const Tensor window = narrow(narrow(image, 2, w.top, w.bottom - w.top), 3, w.left, w.right - w.left);
    const Tensor logits = whole_logits(model, contiguous(window));
    const Tensor placed = pad(logits, {w.left, width - w.right, w.top, height - w.bottom});
    sum_logits = sum_logits.defined() ? sum_logits + placed : placed;
    for (int64_t y = w.top; y < w.bottom; ++y)
      for (int64_t x = w.left; x < w.right; ++x) counts[y * width + x] += 1.0f;
  }
  const Tensor count = from_vector(counts, {1, 1, height, width}).to(image.device());
  return div(sum_logits, count);
}

Tensor resize_logits(const Tensor& logits, Size2 size) {
  if (logits.size(2) == size.height && logits.size(3) == size.width) return logits;
  return interpolate(logits, {size.height, size.width}, "bilinear", /*align_corners=*/false);
}

}  // namespace gaze
