#include <fmt/format.h>

#include <chrono>

#include "trainers/app/hooks/standard_hooks.h"

namespace gaze {

namespace {

using Clock = std::chrono::steady_clock;

// An evaluation record: the split, where the run stands, and the task's metrics.
nlohmann::json metrics_record(Split split, int64_t epoch, int64_t step, const Evaluation& e) {
  nlohmann::json record{{"type", "eval"}, {"split", split_name(split)}, {"epoch", epoch}, {"global_step", step}};
  record.update(e.metrics);
  return record;
}

// Every rank of a data-parallel run has this hook and evaluates its share of each split (the
// metrics come out on every rank); rank 0 alone logs them, keeps the best weights and draws.
class EvaluationHook final : public Hook {
 public:
  explicit EvaluationHook(int64_t eval_interval) : eval_interval_(eval_interval) {}

  void after_train_epoch(TrainingRun& run, EpochReport& epoch) override {
    const bool due = epoch.epoch % eval_interval_ == 0 || epoch.epoch == run.epochs;
    if (!due || run.task.val_size() == 0) return;
    const auto start = Clock::now();
    const Evaluation val = evaluate(run, Split::val);
    run.pace.seconds_per_eval = std::chrono::duration<double>(Clock::now() - start).count();
    run.log.write(metrics_record(Split::val, epoch.epoch, run.state.global_step, val));
    epoch.line += ", val " + val.summary;
    if (val.score > run.state.best_score) {
      run.state.best_score = val.score;
      run.state.best_epoch = epoch.epoch;
      if (writes(run))
        save_weights(run.paths.best_weights(), run.model, {{"format", "pt"}, {"epoch", std::to_string(epoch.epoch)},
                                                           {"val_" + run.task.score_name(), fmt::format("{}", val.score)}});
      epoch.line += " (best)";
    }
  }

  // The final figures on the test set, with the last weights (the best ones are in best.safetensors).
  void after_run(TrainingRun& run, RunReport& report) override {
    report.test = evaluate(run, Split::test);
    run.log.write(metrics_record(Split::test, run.epochs, run.state.global_step, report.test));
  }

 private:
  static bool writes(const TrainingRun& run) { return run.ranks.rank() == 0; }

  static Evaluation evaluate(TrainingRun& run, Split split) {
    // The model evaluated is rank 0's: its BatchNorm running statistics (each rank kept its own
    // batches') go to every rank first. Training normalizes with the batch's own statistics, so
    // this changes no later step.
    if (run.data_parallel) run.data_parallel->broadcast_buffers();
    return run.task.evaluate(run.model, split, writes(run) ? run.paths.dir : "", run.ranks);
  }

  int64_t eval_interval_;
};

}  // namespace

std::unique_ptr<Hook> make_evaluation_hook(const Config& config) {
  return std::make_unique<EvaluationHook>(config.integer("train.eval_interval"));
}

}  // namespace gaze
