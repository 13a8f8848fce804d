// Action recognition on synthetic clips (data.dataset: action_clips or action_relations; the
// Non-local paper's Table 2) or on real videos (rawframes, videos: action_video_data.h): C2D, I3D
// or TSN with the interaction-aware pyramid attention (model.backbone), Non-local blocks from
// model.attention, cross entropy (+ the pyramid attention's losses for tsn); clip top-1 and video
// top-1 (a video's clips' softmax scores averaged, as the paper does: multi-view testing on real
// videos).
#pragma once
#include <memory>

#include "trainers/datasets/action_clips.h"
#include "trainers/datasets/action_relations.h"
#include "trainers/tasks/task.h"
#include "trainers/tasks/task_support.h"

namespace gaze {

class ActionTask : public Task {
 public:
  explicit ActionTask(const Config& config);

  std::string name() const override { return "action"; }
  std::string score_name() const override { return "top1"; }
  std::string model_summary() const override;
  std::vector<TableColumn> table_columns() const override {
    return {{"top1", "clip top-1 (%)", 100, false}, {"video_top1", "video top-1 (%)", 100, false}};
  }

  const ExampleSource& train_set() const override { return *train_; }
  int64_t val_size() const override { return val_ ? val_->size() : 0; }
  int64_t test_size() const override { return test_->size(); }
  const ExampleSource& test_set() const override { return *test_; }

  std::shared_ptr<Module> build_model() const override;
  StepOutput train_step(Module& model, const Batch& batch) const override;
  Evaluation evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const override;

 private:
  const Config& config_;
  std::vector<std::string> metrics_;
  ItemSets items_;  // action_clips, action_relations: the Fashion-MNIST items their clips move
  std::unique_ptr<ExampleSource> train_, val_, test_;
  int64_t classes_ = kActionClasses;
};

}  // namespace gaze
