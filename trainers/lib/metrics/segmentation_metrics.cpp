#include "trainers/lib/metrics/segmentation_metrics.h"

#include <cmath>
#include <limits>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

SegmentationMetrics::SegmentationMetrics(int64_t classes, int64_t ignore_index)
    : classes_(classes), ignore_index_(ignore_index), confusion_(std::max<int64_t>(classes, 0), std::vector<int64_t>(std::max<int64_t>(classes, 0), 0)) {
  if (classes < 1) fail("SegmentationMetrics: classes must be positive (got {})", classes);
  if (ignore_index >= 0 && ignore_index < classes)
    fail("SegmentationMetrics: ignore_index {} is a real class of the {}; pick a label outside [0, {}) such as 255", ignore_index,
         classes, classes);
}

void SegmentationMetrics::add(const Tensor& logits, const Tensor& target) {
  if (logits.dim() != 4 || logits.size(1) != classes_ || target.dim() != 3 || target.size(0) != logits.size(0) ||
      target.size(1) != logits.size(2) || target.size(2) != logits.size(3))
    fail("SegmentationMetrics: expected logits [N, {}, H, W] and target [N, H, W], got {} and {}", classes_, shape_str(logits.shape()),
         shape_str(target.shape()));
  if (target.dtype() != DType::i64) fail("SegmentationMetrics: the target must be i64 class indices (got {})", dtype_name(target.dtype()));
  // argmax and to_vector copy GPU tensors to the host.
  add_predictions(argmax(logits.detach(), 1).to_vector<int64_t>(), target.to_vector<int64_t>());
}

void SegmentationMetrics::add_predictions(const std::vector<int64_t>& predicted, const std::vector<int64_t>& target) {
  if (predicted.size() != target.size())
    fail("SegmentationMetrics: {} predicted labels for {} target labels; give one of each per pixel", predicted.size(), target.size());
  // Check everything before counting anything, so a bad batch leaves the totals as they were.
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == ignore_index_) continue;
    if (target[i] < 0 || target[i] >= classes_)
      fail("SegmentationMetrics: target label {} (pixel {}) is outside [0, {}) and is not the ignore_index {}", target[i], i, classes_,
           ignore_index_);
    if (predicted[i] < 0 || predicted[i] >= classes_)
      fail("SegmentationMetrics: predicted label {} (pixel {}) is outside [0, {})", predicted[i], i, classes_);
  }
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == ignore_index_) continue;
    ++confusion_[target[i]][predicted[i]];
    ++pixels_;
  }
}

void SegmentationMetrics::add_confusion(const std::vector<int64_t>& counts) {
  if (static_cast<int64_t>(counts.size()) != classes_ * classes_)
    fail("SegmentationMetrics: {} confusion counts for {} classes; give classes x classes of them, row after row", counts.size(), classes_);
  for (int64_t count : counts)
    if (count < 0) fail("SegmentationMetrics: a confusion count is negative ({})", count);
  for (int64_t t = 0; t < classes_; ++t)
    for (int64_t p = 0; p < classes_; ++p) confusion_[t][p] += counts[t * classes_ + p], pixels_ += counts[t * classes_ + p];
}

std::vector<double> SegmentationMetrics::iou() const {
  std::vector<double> result(classes_);
  for (int64_t c = 0; c < classes_; ++c) {
    int64_t in_target = 0, in_prediction = 0;
    for (int64_t o = 0; o < classes_; ++o) {
      in_target += confusion_[c][o];
      in_prediction += confusion_[o][c];
    }
    const int64_t intersection = confusion_[c][c], union_ = in_target + in_prediction - intersection;
    result[c] = union_ > 0 ? static_cast<double>(intersection) / union_ : std::numeric_limits<double>::quiet_NaN();
  }
  return result;
}

double SegmentationMetrics::miou() const {
  double total = 0;
  int64_t present = 0;
  for (double v : iou())
    if (!std::isnan(v)) total += v, ++present;
  return present ? total / present : std::numeric_limits<double>::quiet_NaN();
}

double SegmentationMetrics::pixel_accuracy() const {
  if (pixels_ == 0) return 0.0;
  int64_t correct = 0;
  for (int64_t c = 0; c < classes_; ++c) correct += confusion_[c][c];
  return static_cast<double>(correct) / pixels_;
}

}  // namespace gaze
