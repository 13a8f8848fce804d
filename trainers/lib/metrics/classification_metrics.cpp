#include "trainers/lib/metrics/classification_metrics.h"

#include <algorithm>
#include <cmath>

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

void VideoAccuracy::add(const Tensor& logits, const std::vector<int64_t>& videos, const std::vector<int64_t>& labels) {
  if (logits.dim() != 2 || logits.size(1) < 1 || static_cast<size_t>(logits.size(0)) != videos.size() ||
      videos.size() != labels.size())
    fail("VideoAccuracy: expected logits [N, classes] with N videos and N labels, got {}, {} videos and {} labels",
         shape_str(logits.shape()), videos.size(), labels.size());
  const int64_t classes = logits.size(1);
  if (classes_ != 0 && classes != classes_)
    fail("VideoAccuracy: logits with {} classes after batches with {}; every batch must score the same classes", classes, classes_);
  // Check every clip before recording any, so a bad batch leaves the totals as they were.
  std::map<int64_t, int64_t> batch_labels;  // video -> label, of this batch's clips
  for (size_t n = 0; n < labels.size(); ++n) {
    if (labels[n] < 0 || labels[n] >= classes) fail("VideoAccuracy: label {} of video {} outside [0, {})", labels[n], videos[n], classes);
    int64_t earlier = batch_labels.emplace(videos[n], labels[n]).first->second;
    if (auto it = videos_.find(videos[n]); it != videos_.end()) earlier = it->second.label;
    if (earlier != labels[n])
      fail("VideoAccuracy: clips of video {} are labelled both {} and {}; a video has one label, so check the clips' video ids",
           videos[n], earlier, labels[n]);
  }
  classes_ = classes;
  const std::vector<double> scores = logits.to_vector<double>();  // a GPU tensor is copied here
  for (size_t n = 0; n < labels.size(); ++n) {
    Video& video = videos_[videos[n]];
    if (video.score_sum.empty()) video.score_sum.assign(classes, 0.0), video.label = labels[n];
    // A numerically stable softmax of the clip's logits.
    const double* row = scores.data() + n * classes;
    const double largest = *std::max_element(row, row + classes);
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) total += std::exp(row[c] - largest);
    for (int64_t c = 0; c < classes; ++c) video.score_sum[c] += std::exp(row[c] - largest) / total;
  }
  clips_ += static_cast<int64_t>(labels.size());
}

double VideoAccuracy::accuracy() const {
  if (videos_.empty()) return 0.0;
  int64_t correct = 0;
  for (const auto& [id, video] : videos_) {
    const auto best = std::max_element(video.score_sum.begin(), video.score_sum.end()) - video.score_sum.begin();  // first of ties
    correct += best == video.label;
  }
  return static_cast<double>(correct) / static_cast<double>(videos_.size());
}

}  // namespace gaze
