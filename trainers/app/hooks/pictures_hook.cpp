#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/plot/plot.h"

namespace gaze {

namespace {

// curves.png from the metrics log: loss, learning rate, training accuracy and the validation score
// over steps.
void write_curves(const RunPaths& paths, const std::string& score) {
  Series train_loss{"train", {}, {}}, val_loss{"val", {}, {}}, lr{"lr", {}, {}}, val_score{"val " + score, {}, {}},
      train_accuracy{"train accuracy", {}, {}};
  int64_t steps_at_epoch_end = 0;
  for (const nlohmann::json& r : read_metrics(paths.metrics())) {
    const std::string type = r.value("type", "");
    const double step = r.value("global_step", 0.0);
    if (type == "train") {
      train_loss.x.push_back(step), train_loss.y.push_back(r.at("loss"));
      lr.x.push_back(step), lr.y.push_back(r.at("lr"));
    } else if (type == "epoch") {
      steps_at_epoch_end = r.value("global_step", steps_at_epoch_end);
      if (r.contains("train_accuracy")) train_accuracy.x.push_back(step), train_accuracy.y.push_back(r.at("train_accuracy"));
    } else if (type == "eval" && r.value("split", "") == "val") {
      val_loss.x.push_back(step), val_loss.y.push_back(r.at("loss"));
      if (r.contains(score)) val_score.x.push_back(step), val_score.y.push_back(r.at(score));
    }
  }
  write_line_charts_png(paths.curves(), {Panel{"loss", "step", {train_loss, val_loss}, true},
                                         Panel{"learning rate", "step", {lr}, false},
                                         Panel{"accuracy", "step", {train_accuracy, val_score}, false}});
}

class PicturesHook final : public Hook {
 public:
  void after_epoch(TrainingRun& run, const EpochReport&) override { write_curves(run.paths, run.task.score_name()); }
  void after_run(TrainingRun& run, RunReport&) override { write_curves(run.paths, run.task.score_name()); }
};

}  // namespace

std::unique_ptr<Hook> make_pictures_hook() { return std::make_unique<PicturesHook>(); }

}  // namespace gaze
