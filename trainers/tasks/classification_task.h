// Image classification (the SE / CBAM tables): a ResNet with model.attention, cross entropy,
// top-1 / top-5 and the confusion matrix, on Fashion-MNIST or CIFAR-10 (held in memory) or an
// ImageFolder tree (decoded file by file in the loader's workers).
#pragma once
#include "trainers/lib/data/image_set.h"
#include "trainers/lib/data/image_set_source.h"
#include "trainers/tasks/task.h"
#include "trainers/lib/metrics/classification_metrics.h"

namespace gaze {

// The in-memory datasets a config names (fashion_mnist, cifar10): train (after the validation
// split), val (maybe empty) and test, each cut to data.train_limit / data.test_limit when set.
struct Datasets {
  ImageSet train, val, test;
};
Datasets load_datasets(const Config& config);

// Top-1/top-5, mean loss and confusion matrix of `model` (in eval mode) over `source`, its batches
// shared out over `ranks` (the same figures on every rank, equal to one process's).
ClassificationMetrics evaluate(Module& model, const ExampleSource& source, const Config& config, Communicator& ranks);

class ClassificationTask : public Task {
 public:
  explicit ClassificationTask(const Config& config);

  std::string name() const override { return "classification"; }
  std::string score_name() const override { return "top1"; }
  std::string model_summary() const override;
  std::vector<TableColumn> table_columns() const override { return {{"top1", "top-1 error (%)", 100, true}}; }

  const ExampleSource& train_set() const override { return *train_source_; }
  int64_t val_size() const override { return val_source_->size(); }
  int64_t test_size() const override { return test_source_->size(); }
  const ExampleSource& test_set() const override { return *test_source_; }

  std::shared_ptr<Module> build_model() const override;
  StepOutput train_step(Module& model, const Batch& batch) const override;
  Evaluation evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const override;

  const Datasets& data() const { return data_; }

 private:
  const Config& config_;
  std::vector<std::string> metrics_;  // eval.metrics, or the defaults
  Datasets data_;  // fashion_mnist, cifar10: the images the sources below read
  std::unique_ptr<ExampleSource> train_source_, val_source_, test_source_;
};

}  // namespace gaze
