// `gaze eval CONFIG --weights PATH`: top-1/top-5, loss and the confusion matrix of given weights.
#include <fmt/format.h>

#include "autograd/ops.h"
#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/report/plot.h"
#include "trainers/train/checkpoints.h"
#include "trainers/train/from_config.h"
#include "trainers/train/trainer.h"

namespace gaze::cli {

namespace {
struct EvalArgs {
  std::string config, weights, split = "test", confusion;
  std::vector<std::string> sets;
};
}  // namespace

void add_eval_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("eval", "Evaluate weights on the test (or validation) set: loss, top-1, top-5, confusion matrix");
  auto args = std::make_shared<EvalArgs>();
  cmd->add_option("config", args->config, "The config the weights were trained with")->required();
  cmd->add_option("--weights", args->weights, "A .safetensors file, a checkpoint directory or a run directory (its best weights)")
      ->required();
  cmd->add_option("--split", args->split, "Which set: test or val")->check(CLI::IsMember({"test", "val"}));
  cmd->add_option("--confusion", args->confusion, "Also write the confusion matrix as a PNG to this path");
  cmd->add_option("--set", args->sets, "Override a config key (repeatable)")->allow_extra_args(false);
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      apply_config_runtime(options, config);
      const std::string weights = resolve_weights_path(args->weights);
      const Datasets data = load_datasets(config);
      const ImageSet& set = args->split == "test" ? data.test : data.val;
      if (set.size() == 0) fail("--split val: the config holds out no validation set (data.val_fraction is 0)");
      std::shared_ptr<Module> model = build_model(config);
      load_weights(weights, *model);
      ClassificationMetrics m = evaluate(*model, set, config);
      fmt::print("{} on the {} set ({} images): loss {:.4f} top-1 {:.2f}% top-5 {:.2f}%\n", weights, args->split, m.count(),
                 m.mean_loss(), 100 * m.top1(), 100 * m.topk(5));
      fmt::print("confusion matrix (rows: true class, columns: predicted):\n");
      for (size_t r = 0; r < m.confusion().size(); ++r) {
        fmt::print("  {:>12} ", r < set.class_names.size() ? set.class_names[r] : std::to_string(r));
        for (int64_t count : m.confusion()[r]) fmt::print("{:>6}", count);
        fmt::print("\n");
      }
      if (!args->confusion.empty()) {
        write_confusion_png(args->confusion, m.confusion(), set.class_names, args->split + " set");
        fmt::print("wrote {}\n", args->confusion);
      }
    });
  });
}

}  // namespace gaze::cli
