// The training loop of every task, driven by a validated Config: the task (trainers/tasks/) gives
// the data, the model, the loss and the evaluation; optimizer and schedule come from the config
// (optimizer_from_config.h); the log, the evaluations, the pictures and the checkpoints are hooks
// around the steps (hooks/); the run directory (run_directory.h) receives the resolved config,
// the manifest, metrics, checkpoints and plots.
//
// Determinism: the weights come from train.seed, every batch is a pure function of (train.seed,
// epoch, batch index) (trainers/lib/data/loader.h), and a checkpoint holds everything else the loop
// carries (optimizer, default generator, open sums, metrics log length). So a run resumed from any
// checkpoint, even after SIGKILL, writes the same metrics as one that ran through, on the same
// backend and thread count.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trainers/lib/config/config.h"

namespace gaze {

class Hook;  // trainers/app/hooks/hook.h

struct TrainOptions {
  std::string config_path;   // for the run directory's name and the manifest
  std::string resume;        // "": fresh run; "auto": the run directory's newest checkpoint; else a checkpoint or run directory
  std::string weights;       // initial weights (fine-tuning); exclusive with resume
  std::string command_line;  // for the manifest
  bool progress = true;      // draw progress bars (when stderr is a terminal)
  // A user's hooks, called after the standard ones at each point of the loop (hooks/hook.h), as
  // mmengine's custom hooks: to log elsewhere, stop early, watch a metric.
  std::vector<std::shared_ptr<Hook>> hooks;
};

struct TrainResult {
  std::string run_dir;
  int64_t parameters = 0;
  nlohmann::json test;           // the task's test metrics (classification: loss, top1, top5)
  double test_score = 0;         // the task's headline test metric (classification: top-1)
  double best_val_score = -1;    // -1: no validation set
  double seconds_per_epoch = 0;  // mean training time per epoch (data waits included, evaluation not)
  int64_t epochs = 0;
};

// Trains the task of config's data.dataset (trainers/tasks/) into its run directory.
TrainResult train(const Config& config, const TrainOptions& options);

}  // namespace gaze
