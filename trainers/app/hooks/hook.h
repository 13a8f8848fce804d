// The training loop (trainer.cpp) takes the optimizer steps; everything a run does around them —
// the learning-rate schedule, the metrics log and console, the evaluation and best weights, the
// pictures, the checkpoints — is a Hook it calls at fixed points, in the order the hooks were
// given (as mmengine's hooks and Lightning's callbacks). What must survive a resume lives in
// TrainerState, which every checkpoint saves; a hook keeps in itself only what may be lost.
#pragma once
#include <cstdint>
#include <string>

#include "layers/module.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/console_log.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"
#include "trainers/lib/distributed/data_parallel.h"
#include "trainers/lib/optim/optimizer.h"
#include "trainers/tasks/task.h"

namespace gaze {

// What a run is made of: what the loop and every hook see.
struct TrainingRun {
  const Config& config;
  const TrainOptions& options;
  const RunPaths& paths;
  const Task& task;
  Module& model;
  Optimizer& optimizer;
  TrainerState& state;  // where the run stands: state.epoch is the epoch in progress (0-based)
  MetricsLog& log;
  ConsoleLog& console;
  RunPace& pace;        // what the ETAs are computed from
  Communicator& ranks;  // of a data-parallel run (one process: the single-process communicator)
  DataParallel* data_parallel = nullptr;  // set when several ranks train
  int64_t epochs = 0, steps_per_epoch = 0, batch_size = 0;
  std::string backend;  // what runs the kernels
};

// One optimizer step, once taken (state.global_step and state.step_in_epoch count it).
struct StepReport {
  StepOutput output;   // the loss's terms and the training accuracy counts
  double loss = 0;     // the loss's value
  double lr = 0;       // the learning rate the step was taken with
  double step_seconds = 0, wait_seconds = 0;  // computing the step, and waiting for its batch
  int64_t examples = 0;
};

// An epoch whose steps are all taken. The state has already moved to the start of the next epoch
// (so a checkpoint taken now resumes there) and its epoch sums are reset: they are here.
struct EpochReport {
  int64_t epoch = 0;        // 1-based: the epoch just finished
  double train_loss = 0;    // mean over its examples
  double seconds = 0;       // its training time, data waits included
  int64_t correct = 0, counted = 0;  // training accuracy (counted 0: the task counts none)
  std::string line;         // the console's summary of the epoch, written by the hooks of after_train_epoch
};

// The end of the run.
struct RunReport {
  Evaluation test;  // the test split with the last weights
};

class Hook {
 public:
  virtual ~Hook() = default;
  // The run directory is set up and the state loaded (a resumed run's included), before the first
  // epoch to train: to open what the hook writes.
  virtual void before_run(TrainingRun& run) {}
  virtual void before_epoch(TrainingRun& run) {}
  virtual void before_step(TrainingRun& run) {}
  virtual void after_step(TrainingRun& run, const StepReport& step) {}
  // The epoch is summed up and measured: its record, the validation, the best weights. Hooks may
  // add to the report's line.
  virtual void after_train_epoch(TrainingRun& run, EpochReport& epoch) {}
  // Then kept: the line printed, the pictures drawn, the checkpoint written.
  virtual void after_epoch(TrainingRun& run, const EpochReport& epoch) {}
  // After the last epoch, before result.json is written: the test evaluation, the last pictures.
  virtual void after_run(TrainingRun& run, RunReport& report) {}
};

}  // namespace gaze
