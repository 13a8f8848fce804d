// Semantic segmentation of synthetic scenes (data.dataset: segmentation_scenes; DANet's Table 1)
// or of a dataset on disk (cityscapes, pascal_voc, ade20k, segmentation_folder: whole images at
// evaluation, one at a time since their sizes differ, whole or by sliding window):
// a dilated FCN (output stride 8) with the FCN head or the DANet head (PAM, CAM, both), per-pixel
// cross entropy with ignore_index 255 plus the weighted auxiliary heads' losses; mIoU, per-class
// IoU and pixel accuracy from the confusion matrix; overlays of predictions.
#pragma once
#include <memory>

#include "trainers/datasets/segmentation_files.h"
#include "trainers/datasets/segmentation_scenes.h"
#include "trainers/tasks/task.h"
#include "trainers/tasks/task_support.h"

namespace gaze {

class SegmentationTask : public Task {
 public:
  explicit SegmentationTask(const Config& config);

  std::string name() const override { return "segmentation"; }
  std::string score_name() const override { return "miou"; }
  std::string model_summary() const override;
  std::vector<TableColumn> table_columns() const override {
    return {{"miou", "mIoU (%)", 100, false}, {"pixel_accuracy", "pixel accuracy (%)", 100, false}};
  }

  const ExampleSource& train_set() const override { return *train_; }
  int64_t val_size() const override { return val_->size(); }
  int64_t test_size() const override { return test_->size(); }
  const ExampleSource& test_set() const override { return *test_; }

  std::shared_ptr<Module> build_model() const override;
  StepOutput train_step(Module& model, const Batch& batch) const override;
  Evaluation evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const override;

 private:
  Evaluation evaluate_files(Module& model, const SegmentationFiles& set, const std::string& pictures_dir, Communicator& ranks) const;

  const Config& config_;
  std::vector<std::string> metrics_;
  ItemSets items_;  // synthetic scenes: the Fashion-MNIST items they are drawn from
  std::shared_ptr<ExampleSource> train_, val_, test_;
  // Files on disk: the evaluation split, both val_ and test_ (these datasets publish no test labels).
  const SegmentationFiles* files_val_ = nullptr;
};

}  // namespace gaze
