// The hooks every training run has, in the order train() calls them: the schedule sets the rate
// before each step; the log sees a step before the checkpoints do (its sums are in the checkpoint);
// the epoch's record precedes its validation in metrics.jsonl, and both are written before the
// curves are drawn and the epoch's checkpoint records the log's length.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "trainers/app/hooks/hook.h"

namespace gaze {

// schedule.*: the learning rate of each step, from the epoch's fraction done.
std::unique_ptr<Hook> make_schedule_hook(const Config& config);
// The progress bar, metrics.jsonl's train and epoch records every train.log_interval steps and
// at each epoch's end, and the console's lines with throughput and ETAs (train.log too).
std::unique_ptr<Hook> make_logging_hook(const Config& config, bool progress_bars);
// The validation every train.eval_interval epochs and after the last, best.safetensors when its
// score is the best so far, and the test evaluation at the end.
std::unique_ptr<Hook> make_evaluation_hook(const Config& config);
// curves.png after every epoch and at the end.
std::unique_ptr<Hook> make_pictures_hook();
// With log.tensorboard: a new TensorBoard events file in the run directory (a resumed run's
// beside the first, starting with a SessionLog START), holding the config as text, every
// metrics.jsonl record's numbers as scalars at its global step, and the run directory's pictures
// as images whenever they change (after each epoch and at the end).
std::unique_ptr<Hook> make_tensorboard_hook();
// Checkpoints every checkpoint.every_steps steps, every checkpoint.interval epochs and after the
// last; on SIGINT or SIGTERM, one where the run stands, then the run stops (Interrupted) saying
// how to continue it.
std::unique_ptr<Hook> make_checkpoint_hook(const Config& config, const TrainOptions& options);

// All of the above, in that order (the TensorBoard hook only with log.tensorboard).
std::vector<std::unique_ptr<Hook>> standard_hooks(const Config& config, const TrainOptions& options);

}  // namespace gaze
