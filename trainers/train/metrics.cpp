#include "trainers/train/metrics.h"

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

ClassificationMetrics::ClassificationMetrics(int64_t num_classes)
    : classes_(num_classes), rank_hits_(num_classes, 0), confusion_(num_classes, std::vector<int64_t>(num_classes, 0)) {
  if (num_classes < 1) fail("ClassificationMetrics: num_classes must be positive (got {})", num_classes);
}

void ClassificationMetrics::add(const Tensor& logits, const Tensor& labels, double loss_sum) {
  if (logits.dim() != 2 || logits.size(1) != classes_ || labels.dim() != 1 || labels.size(0) != logits.size(0))
    fail("ClassificationMetrics: expected logits [N, {}] and labels [N], got {} and {}", classes_, shape_str(logits.shape()),
         shape_str(labels.shape()));
  const std::vector<double> scores = to_dtype(logits.detach(), DType::f64).to_vector<double>();
  const std::vector<int64_t> truth = labels.to_vector<int64_t>();
  for (size_t n = 0; n < truth.size(); ++n) {
    const int64_t label = truth[n];
    if (label < 0 || label >= classes_) fail("ClassificationMetrics: label {} outside [0, {})", label, classes_);
    const double* row = scores.data() + n * classes_;
    // Rank of the true class: classes scoring higher, or equal with a lower index, come first.
    int64_t rank = 0, predicted = 0;
    for (int64_t c = 0; c < classes_; ++c) {
      if (row[c] > row[label] || (row[c] == row[label] && c < label)) ++rank;
      if (row[c] > row[predicted]) predicted = c;
    }
    ++rank_hits_[rank];
    ++confusion_[label][predicted];
  }
  count_ += static_cast<int64_t>(truth.size());
  loss_sum_ += loss_sum;
}

double ClassificationMetrics::mean_loss() const { return count_ ? loss_sum_ / count_ : 0.0; }

double ClassificationMetrics::top1() const { return topk(1); }

double ClassificationMetrics::topk(int64_t k) const {
  if (count_ == 0) return 0.0;
  int64_t hits = 0;
  for (int64_t r = 0; r < std::min(k, classes_); ++r) hits += rank_hits_[r];
  return static_cast<double>(hits) / count_;
}

}  // namespace gaze
