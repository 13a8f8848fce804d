// A task is what a run learns and how it is scored: its data, its model, its loss and its
// evaluation. The training loop (trainers/app/trainer.cpp) — schedule, checkpoints, resume,
// logging, best weights — is one for every task; each task (classification, action recognition,
// segmentation, video re-ID) supplies only what differs, as mmseg's and torchreid's engines do.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layers/module.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/loader.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

enum class Split { val, test };
const char* split_name(Split split);

// What one training step produced: the loss to minimise and, for the log, its terms.
struct StepOutput {
  Tensor loss;                                                // scalar: every term, weighted, summed
  std::vector<std::pair<std::string, double>> terms;          // e.g. {"ce", 1.2}, {"triplet", 0.3}; empty: one term
  int64_t correct = 0, counted = 0;                           // for the epoch's training accuracy (counted 0: none)
};

// What an evaluation measured.
struct Evaluation {
  nlohmann::json metrics;  // the scalars for metrics.jsonl and result.json ("loss" among them)
  double score = 0;        // the task's headline metric (higher is better): picks best.safetensors
  std::string summary;     // one line for the console, e.g. "loss 0.3 top-1 90.1% top-5 99.8%"
};

// One column of `gaze reproduce`'s table: a test metric, shown as value × scale (or 100 − that
// when `as_error`), e.g. {"top1", "top-1 error (%)", 100, true}.
struct TableColumn {
  std::string metric, title;
  double scale = 100;
  bool as_error = false;
};

class Task {
 public:
  virtual ~Task() = default;

  virtual std::string name() const = 0;
  // The metric that Evaluation::score reports, e.g. "top1", "miou", "rank1".
  virtual std::string score_name() const = 0;
  // A few words on the model for tables, e.g. "nonlocal embedded_gaussian x1".
  virtual std::string model_summary() const = 0;
  virtual std::vector<TableColumn> table_columns() const = 0;

  virtual const ExampleSource& train_set() const = 0;
  virtual int64_t val_size() const = 0;   // 0: no validation set
  virtual int64_t test_size() const = 0;
  // Test examples without augmentation, for pictures (gaze visualize); re-ID: the query tracklets.
  virtual const ExampleSource& test_set() const = 0;
  // How the training loader visits train_set() (re-ID: the PK sampler's order); unset: shuffled.
  virtual std::function<std::vector<int64_t>(int64_t epoch)> train_order(uint64_t seed) const { return {}; }

  // The model, on train.device. Its initialization draws from the default generator.
  virtual std::shared_ptr<Module> build_model() const = 0;
  // Forward and loss of one training batch (the loop does backward and the optimizer step).
  virtual StepOutput train_step(Module& model, const Batch& batch) const = 0;
  // The model (in eval mode, no grad) on a split; pictures (confusion matrix, overlays, ranked
  // lists) go to `pictures_dir` when it is not empty and eval.metrics asks for them. The split's
  // batches are shared out over `ranks` (sharded_evaluation.h), and every rank returns exactly the
  // metrics one process computes; every rank of `ranks` must call it.
  virtual Evaluation evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const = 0;
};

// The task of config's data.dataset, with its data loaded or generated: bad input fails here,
// before anything is written.
std::unique_ptr<Task> make_task(const Config& config);

}  // namespace gaze
