// Classification metrics accumulated over batches: mean loss, top-1 and top-5 accuracy and the
// confusion matrix (rows: true class, columns: predicted class), as torchmetrics computes them.
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t num_classes);
  // logits [N, classes], labels [N] (i64); loss_sum: the batch's summed loss.
  void add(const Tensor& logits, const Tensor& labels, double loss_sum = 0.0);

  int64_t count() const { return count_; }
  int64_t classes() const { return classes_; }
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

// Video accuracy for action recognition: several clips are cut from each video and a video's
// prediction is the argmax of the mean of its clips' softmax scores, as the Non-local paper (Wang
// et al. 2018) averages clips at test time; ties go to the lower class index. Clips of one video
// may arrive in different batches.
class VideoAccuracy {
 public:
  // logits [N, classes] (any device); videos and labels: the video and the class of each clip.
  // Every clip of a video must carry the same label, and all batches the same number of classes.
  void add(const Tensor& logits, const std::vector<int64_t>& videos, const std::vector<int64_t>& labels);

  double accuracy() const;  // fraction of videos in [0, 1]; 0 before any clip
  int64_t videos() const { return static_cast<int64_t>(videos_.size()); }
  int64_t clips() const { return clips_; }

 private:
  struct Video {
    int64_t label = 0;
    std::vector<double> score_sum;  // summed softmax scores: same argmax as their mean
  };
  int64_t classes_ = 0;  // set by the first add
  int64_t clips_ = 0;
  std::map<int64_t, Video> videos_;
};

}  // namespace gaze
