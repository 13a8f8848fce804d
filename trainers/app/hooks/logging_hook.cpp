#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/app/progress.h"

namespace gaze {

namespace {

class LoggingHook final : public Hook {
 public:
  LoggingHook(int64_t log_interval, bool progress_bars) : log_interval_(log_interval), progress_bars_(progress_bars) {}

  void before_epoch(TrainingRun& run) override {
    bar_.emplace(fmt::format("epoch {}/{}", run.state.epoch + 1, run.epochs), run.steps_per_epoch, run.batch_size,
                 progress_bars_ && stderr_is_terminal());
  }

  void after_step(TrainingRun& run, const StepReport& step) override {
    TrainerState& s = run.state;
    s.interval_loss += step.loss;
    s.interval_steps += 1;
    interval_seconds_ += step.step_seconds + step.wait_seconds;
    interval_examples_ += step.examples;
    interval_timed_steps_ += 1;
    bar_->update(s.step_in_epoch, fmt::format("loss {:.4f}", step.loss));
    if (s.global_step % log_interval_ != 0) return;

    const double mean_loss = s.interval_loss / s.interval_steps;
    nlohmann::json record{{"type", "train"}, {"epoch", s.epoch + 1}, {"step", s.step_in_epoch}, {"global_step", s.global_step},
                          {"loss", mean_loss}, {"lr", step.lr}, {"step_ms", 1e3 * step.step_seconds}, {"data_ms", 1e3 * step.wait_seconds},
                          {"examples_per_s", step.examples / std::max(step.step_seconds + step.wait_seconds, 1e-9)}};
    std::string terms;
    for (const auto& [name, value] : step.output.terms) record[name] = value, terms += fmt::format(" {} {:.4f}", name, value);
    run.log.write(record);
    bar_->clear();
    run.pace.seconds_per_step = interval_seconds_ / static_cast<double>(interval_timed_steps_);
    run.console.line("epoch {}/{} step {}/{} loss {:.4f}{} lr {:.5f} step {:.1f} ms data {:.2f} ms {:.0f} samples/s ETA epoch {} run {} "
                     "backend {}",
                     s.epoch + 1, run.epochs, s.step_in_epoch, run.steps_per_epoch, mean_loss, terms, step.lr, 1e3 * step.step_seconds,
                     1e3 * step.wait_seconds, interval_examples_ / std::max(interval_seconds_, 1e-9),
                     format_duration(run.pace.epoch_eta(s.step_in_epoch)), format_duration(run.pace.run_eta(s.epoch, s.step_in_epoch)),
                     run.backend);
    interval_seconds_ = 0;
    interval_examples_ = interval_timed_steps_ = 0;
    s.interval_loss = 0;
    s.interval_steps = 0;
  }

  void after_train_epoch(TrainingRun& run, EpochReport& epoch) override {
    bar_->finish();
    nlohmann::json record{{"type", "epoch"}, {"epoch", epoch.epoch}, {"global_step", run.state.global_step},
                          {"train_loss", epoch.train_loss}, {"epoch_seconds", epoch.seconds}};
    epoch.line = fmt::format("epoch {}/{} done in {}: train loss {:.4f}", epoch.epoch, run.epochs, format_duration(epoch.seconds),
                             epoch.train_loss);
    if (epoch.counted > 0) {
      const double accuracy = static_cast<double>(epoch.correct) / epoch.counted;
      record["train_accuracy"] = accuracy;
      epoch.line += fmt::format(" accuracy {:.2f}%", 100 * accuracy);
    }
    run.log.write(record);
  }

  void after_epoch(TrainingRun& run, const EpochReport& epoch) override { run.console.line(epoch.line); }

 private:
  int64_t log_interval_;
  bool progress_bars_;
  std::optional<ProgressBar> bar_;  // the epoch's
  // Since the last log line, for the pace and throughput: a resumed interval's first steps were
  // not timed here, so these are not in the checkpoint.
  double interval_seconds_ = 0;
  int64_t interval_examples_ = 0, interval_timed_steps_ = 0;
};

}  // namespace

std::unique_ptr<Hook> make_logging_hook(const Config& config, bool progress_bars) {
  return std::make_unique<LoggingHook>(config.integer("train.log_interval"), progress_bars);
}

}  // namespace gaze
