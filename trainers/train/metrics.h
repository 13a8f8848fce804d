// Classification metrics accumulated over batches: mean loss, top-1 and top-5 accuracy and the
// confusion matrix (rows: true class, columns: predicted class), as torchmetrics computes them.
#pragma once
#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t num_classes);
  // logits [N, classes], labels [N] (i64); loss_sum: the batch's summed loss.
  void add(const Tensor& logits, const Tensor& labels, double loss_sum = 0.0);

  int64_t count() const { return count_; }
  double mean_loss() const;
  double top1() const;  // fraction in [0, 1]
  // A sample counts when its label is among the k highest logits (ties: lower class index first,
  // as torch.topk on CPU). k is capped at the number of classes.
  double topk(int64_t k) const;
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }

 private:
  int64_t classes_;
  int64_t count_ = 0;
  double loss_sum_ = 0;
  std::vector<int64_t> rank_hits_;  // rank_hits_[r]: samples whose label had rank r
  std::vector<std::vector<int64_t>> confusion_;
};

}  // namespace gaze
