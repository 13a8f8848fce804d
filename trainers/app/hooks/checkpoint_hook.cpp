#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <vector>

#include "framework/random.h"
#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/app/interrupt.h"

namespace gaze {

namespace {

// The command that continues an interrupted run: the one that started it, with --resume auto in
// place of --resume/--weights (a continued run brings its own weights).
std::string continue_command(const TrainOptions& options) {
  std::vector<std::string> words;
  std::string word;
  for (std::istringstream in(options.command_line); in >> word;) words.push_back(word);
  const bool is_train = std::find(words.begin(), words.end(), "train") != words.end();
  if (!is_train) return options.command_line.empty() ? fmt::format("gaze train {} --resume auto", options.config_path) : options.command_line;
  std::vector<std::string> kept;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--resume" || words[i] == "--weights") {
      ++i;
      continue;
    }
    if (words[i].rfind("--resume=", 0) == 0 || words[i].rfind("--weights=", 0) == 0) continue;
    kept.push_back(words[i]);
  }
  kept.push_back("--resume");
  kept.push_back("auto");
  return fmt::format("{}", fmt::join(kept, " "));
}

class CheckpointHook final : public Hook {
 public:
  CheckpointHook(const Config& config, std::string continue_command)
      : every_epochs_(config.integer("checkpoint.interval")),
        every_steps_(config.integer("checkpoint.every_steps")),
        keep_(config.integer("checkpoint.keep")),
        continue_command_(std::move(continue_command)) {}

  void after_step(TrainingRun& run, const StepReport&) override {
    if (every_steps_ > 0 && run.state.global_step % every_steps_ == 0) save(run);
    stop_if_interrupted(run);
  }

  // The state is already at the next epoch: that is where this checkpoint resumes.
  void after_epoch(TrainingRun& run, const EpochReport& epoch) override {
    const bool interrupted = interrupt_signal() != 0;
    if (epoch.epoch % every_epochs_ == 0 || epoch.epoch == run.epochs || interrupted) {
      save(run);
      if (interrupted) stop_if_interrupted(run);
    }
  }

 private:
  void save(TrainingRun& run) {
    run.state.rng_state = default_generator().state();
    run.state.metrics_bytes = run.log.bytes();
    last_checkpoint_ = save_checkpoint(run.paths.checkpoints(), run.model, run.optimizer, run.state, keep_);
    checkpointed_step_ = run.state.global_step;
  }

  // After a SIGINT or SIGTERM, between steps: save where the run stands (unless that checkpoint
  // was just written) and stop.
  void stop_if_interrupted(TrainingRun& run) {
    const int signal = interrupt_signal();
    if (signal == 0) return;
    if (checkpointed_step_ != run.state.global_step) save(run);
    throw Interrupted(signal, fmt::format("interrupted by {} at epoch {} step {}: wrote {}; continue the run with:\n  {}",
                                          signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal", run.state.epoch + 1,
                                          run.state.step_in_epoch, last_checkpoint_, continue_command_));
  }

  int64_t every_epochs_, every_steps_, keep_;
  std::string continue_command_;
  int64_t checkpointed_step_ = -1;
  std::string last_checkpoint_;
};

}  // namespace

std::unique_ptr<Hook> make_checkpoint_hook(const Config& config, const TrainOptions& options) {
  return std::make_unique<CheckpointHook>(config, continue_command(options));
}

}  // namespace gaze
