// Video re-identification on synthetic tracklets (data.dataset: reid_tracklets; Liao et al.'s 3D
// CNN + Non-local) or on MARS and DukeMTMC-VideoReID (mars, duke_video: reid_video_data.h): cross entropy over the training identities plus the batch-hard triplet loss,
// batches drawn by the PK sampler (P identities × K tracklets); evaluated by tracklet features and
// Euclidean distance, queries against a gallery of the other cameras (distractors included):
// CMC rank-1/5/10 and mAP, and pictures of ranked lists.
#pragma once
#include <array>
#include <memory>

#include "trainers/datasets/reid_tracklets.h"
#include "trainers/tasks/task.h"
#include "trainers/tasks/task_support.h"

namespace gaze {

class ReidTask : public Task {
 public:
  explicit ReidTask(const Config& config);

  std::string name() const override { return "reid"; }
  std::string score_name() const override { return "rank1"; }
  std::string model_summary() const override;
  std::vector<TableColumn> table_columns() const override {
    return {{"rank1", "rank-1 (%)", 100, false}, {"rank5", "rank-5 (%)", 100, false}, {"map", "mAP (%)", 100, false}};
  }

  const ExampleSource& train_set() const override { return *train_; }
  int64_t val_size() const override { return 0; }  // identities are few: all train, and the test set scores
  int64_t test_size() const override { return query_->size(); }
  const ExampleSource& test_set() const override { return *query_; }
  std::function<std::vector<int64_t>(int64_t epoch)> train_order(uint64_t seed) const override;

  std::shared_ptr<Module> build_model() const override;
  StepOutput train_step(Module& model, const Batch& batch) const override;
  Evaluation evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const override;

 private:
  const Config& config_;
  std::vector<std::string> metrics_;
  ItemSets items_;  // reid_tracklets: the Fashion-MNIST items its identities are
  std::unique_ptr<ExampleSource> train_;
  std::unique_ptr<ReidEvaluationSplit> evaluation_;  // reid_tracklets' query and gallery
  std::unique_ptr<ExampleSource> real_query_, real_gallery_;  // mars, duke_video
  const ExampleSource* query_ = nullptr;
  const ExampleSource* gallery_ = nullptr;
  // How inputs were normalized, per channel: the ranked-list pictures undo it.
  std::array<float, 3> mean_{}, std_{};
};

}  // namespace gaze
