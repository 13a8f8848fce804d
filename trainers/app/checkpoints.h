// Checkpoints of a training run: checkpoints/step-<global step, 8 digits>/ holding
//   model.safetensors    the weights and buffers by dotted name (PyTorch's safetensors loader reads it)
//   trainer.safetensors  the optimizer's state tensors, with the TrainerState in its metadata
// A checkpoint is written into a hidden .partial-* directory and renamed into place once both
// files are complete and synced, so a run killed at any moment leaves either the whole checkpoint
// or none of it; the older checkpoints stay until the new one is in place.
#pragma once
#include <string>

#include "layers/module.h"
#include "trainers/lib/optim/optimizer.h"

namespace gaze {

// Where the loop stands, and what it has accumulated, so that a resumed run continues exactly.
struct TrainerState {
  int64_t epoch = 0;          // the epoch in progress (0-based)
  int64_t step_in_epoch = 0;  // steps of that epoch already taken
  int64_t global_step = 0;
  std::string rng_state;      // the default generator (dropout and other in-model randomness)
  double best_score = -1;     // best validation score (the task's headline metric) so far, -1 before the first evaluation
  int64_t best_epoch = -1;
  int64_t metrics_bytes = 0;  // length of metrics.jsonl when the checkpoint was taken
  // Sums still open at the checkpoint: the current log interval and the current epoch.
  double interval_loss = 0;
  int64_t interval_steps = 0;
  double epoch_loss = 0;
  int64_t epoch_examples = 0;
  int64_t epoch_correct = 0, epoch_counted = 0;  // the task's training accuracy: of examples, pixels, ...
  double epoch_seconds = 0;   // training time of the epoch so far (the epoch summary's time)
};

// Writes checkpoints/step-N for state.global_step; then removes all but the `keep` newest.
// Returns the checkpoint's directory.
std::string save_checkpoint(const std::string& checkpoints_dir, const Module& model, const Optimizer& optimizer,
                            const TrainerState& state, int64_t keep);
// The newest complete checkpoint directory under checkpoints_dir, or "" when there is none.
std::string latest_checkpoint(const std::string& checkpoints_dir);
// Loads a checkpoint directory into model and optimizer and returns its state. Every file is
// verified first; a corrupt or mismatched checkpoint is an error naming it (and a corrupt one
// changes nothing: files are read and checked before the model is touched).
TrainerState load_checkpoint(const std::string& checkpoint_dir, Module& model, Optimizer& optimizer);

// Weights only: a .safetensors file, a checkpoint directory, or a run directory (its best
// weights, else its newest checkpoint). Strict: missing and unexpected names are an error.
void load_weights(const std::string& path, Module& model);
// The weights file `path` stands for, by the rules above.
std::string resolve_weights_path(const std::string& path);
// Writes the model's weights and buffers as one safetensors file (atomically).
void save_weights(const std::string& path, const Module& model, const std::map<std::string, std::string>& metadata = {});

}  // namespace gaze
