// The training loop of a classification run, driven by a validated Config: data, model, optimizer
// and schedule come from the config (from_config.h); the run directory (run_directory.h) receives
// the resolved config, the manifest, metrics, checkpoints and plots.
//
// Determinism: the weights come from train.seed, every batch is a pure function of (train.seed,
// epoch, batch index) (trainers/data/loader.h), and a checkpoint holds everything else the loop
// carries (optimizer, default generator, open sums, metrics log length). So a run resumed from any
// checkpoint, even after SIGKILL, writes the same metrics as one that ran through, on the same
// backend and thread count.
#pragma once
#include <memory>
#include <string>

#include "trainers/config/config.h"
#include "trainers/data/image_set.h"
#include "trainers/train/metrics.h"

namespace gaze {

class Module;

struct TrainOptions {
  std::string config_path;   // for the run directory's name and the manifest
  std::string resume;        // "": fresh run; "auto": the run directory's newest checkpoint; else a checkpoint or run directory
  std::string weights;       // initial weights (fine-tuning); exclusive with resume
  std::string command_line;  // for the manifest
  bool progress = true;      // draw progress bars (when stderr is a terminal)
};

struct TrainResult {
  std::string run_dir;
  int64_t parameters = 0;
  double test_top1 = 0, test_top5 = 0, best_val_top1 = -1;
  double seconds_per_epoch = 0;  // mean training time per epoch (data waits included, evaluation not)
  int64_t epochs = 0;
};

TrainResult train(const Config& config, const TrainOptions& options);

// The datasets a config names: train (after the validation split), val (maybe empty) and test,
// each cut to data.train_limit / data.test_limit when set.
struct Datasets {
  ImageSet train, val, test;
};
Datasets load_datasets(const Config& config);

// Top-1/top-5, mean loss and confusion matrix of `model` (in eval mode) over `set`.
ClassificationMetrics evaluate(Module& model, const ImageSet& set, const Config& config);

}  // namespace gaze
