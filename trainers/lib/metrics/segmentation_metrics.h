// Segmentation metrics accumulated over batches: a confusion matrix over pixels (rows: true
// class, columns: predicted class), and from it per-class IoU, mIoU and pixel accuracy as mmseg
// computes them (mmseg's IoUMetric: IoU = intersection / union per class, mIoU the nan-mean, aAcc
// the correctly labelled share of the non-ignored pixels).
#pragma once
#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

class SegmentationMetrics {
 public:
  // Pixels whose target is ignore_index are skipped (255: the "void" label of VOC and Cityscapes).
  explicit SegmentationMetrics(int64_t classes, int64_t ignore_index = 255);

  // logits [N, C, H, W] (any device; the predicted class is the argmax over C, ties to the lower
  // index), target i64 [N, H, W].
  void add(const Tensor& logits, const Tensor& target);
  // Predicted and true labels of the same pixels, in the same order.
  void add_predictions(const std::vector<int64_t>& predicted, const std::vector<int64_t>& target);
  // Counts of other pixels, as confusion() holds them, row after row (classes x classes): the
  // totals are whole numbers, so adding them in any order gives the same metrics.
  void add_confusion(const std::vector<int64_t>& counts);

  // Per class: intersection / union, NaN where the class is in neither a prediction nor a target
  // (it has no IoU, and must not count as 0 or 1 in the mean).
  std::vector<double> iou() const;
  // Mean of iou() over the classes that are not NaN; NaN when every class is (nothing added).
  double miou() const;
  // Correctly labelled pixels over all counted (non-ignored) pixels; 0 when none were counted.
  double pixel_accuracy() const;
  int64_t pixels() const { return pixels_; }
  int64_t classes() const { return classes_; }
  int64_t ignore_index() const { return ignore_index_; }
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }

 private:
  int64_t classes_, ignore_index_;
  int64_t pixels_ = 0;
  std::vector<std::vector<int64_t>> confusion_;
};

}  // namespace gaze
