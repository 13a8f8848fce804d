// `gaze eval CONFIG --weights PATH`: the task's metrics of given weights on the test (or
// validation) set, and its pictures (confusion matrix, overlays, ranked lists) with --pictures.
#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/tasks/task.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/job_abort.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze::cli {

namespace {
struct EvalArgs {
  std::string config, weights, split = "test", pictures;
  std::vector<std::string> sets;
};
}  // namespace

void add_eval_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("eval");
  describe_command(*cmd, "Evaluate weights on the test or validation set: metrics and pictures",
                   "Builds the config's model, loads the weights (a run directory gives its best ones) and "
                   "prints the task's metrics on the test set, or the validation set with --split val, as a "
                   "summary line and a JSON line. --pictures writes the pictures eval.metrics lists (a "
                   "confusion matrix, segmentation overlays, ranked retrieval lists) into a directory. Launched by "
                   "mpirun, the ranks share the split's batches out and rank 0 prints what one process would.",
                   "  gaze eval configs/quickstart.yaml --weights runs/quickstart --pictures eval\n"
                   "  gaze eval configs/quickstart.yaml --weights runs/quickstart --split val --pictures val\n"
                   "  gaze eval configs/reid/c3d.yaml --weights runs/reid/c3d/best.safetensors\n"
                   "  mpirun -np 2 gaze eval configs/quickstart.yaml --weights runs/quickstart\n");
  auto args = std::make_shared<EvalArgs>();
  cmd->add_option("config", args->config, "The config the weights were trained with")->required();
  cmd->add_option("--weights", args->weights, "A .safetensors file, a checkpoint directory or a run directory (its best weights)")
      ->required();
  cmd->add_option("--split", args->split, "Which set: test (the default) or val")
      ->check(CLI::IsMember({"test", "val"}))
      ->option_text("test|val");
  cmd->add_option("--pictures", args->pictures,
                  "Write the pictures eval.metrics lists (confusion.png, overlays.png, ranked_lists.png) into this directory");
  cmd->add_option("--set", args->sets, "Override a config key (repeatable)")
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      apply_config_runtime(options, config);
      // Under mpirun every rank evaluates its share of the split's batches and rank 0 prints the
      // metrics, which equal one process's bit for bit (docs/distributed.md); alone, one process
      // evaluates the whole split.
      Communicator& ranks = world(config.text("train.distributed"));
      const bool writer = ranks.rank() == 0;
      bool started = false;
      try {
        const Split split = args->split == "test" ? Split::test : Split::val;
        // The config against its data and model, and the weights against the model: the input.
        std::string weights;
        std::unique_ptr<Task> task;
        std::shared_ptr<Module> model;
        input_phase([&] {
          weights = resolve_weights_path(args->weights);
          task = make_task(config);
          if (split == Split::val && task->val_size() == 0)
            fail("--split val: the config holds out no validation set (data.val_fraction or data.val_size is 0)");
          model = task->build_model();
          load_weights(weights, *model);
        });
        started = true;
        const std::string pictures = writer ? args->pictures : "";
        if (!pictures.empty()) create_directories_or_fail(pictures);
        const Evaluation e = task->evaluate(*model, split, pictures, ranks);
        if (!writer) return;
        fmt::print("{} on the {} set ({} examples{}): {}\n", weights, args->split,
                   split == Split::test ? task->test_size() : task->val_size(),
                   ranks.size() > 1 ? fmt::format(", shared out over {} ranks", ranks.size()) : "", e.summary);
        fmt::print("{}\n", e.metrics.dump());
        if (!pictures.empty()) fmt::print("pictures under {}\n", pictures);
      } catch (const std::exception& e) {
        // A rank that fails alone would leave the others waiting in the evaluation's collectives.
        if (ranks.size() > 1) abort_job(e, started);
        throw;
      }
    });
  });
}

}  // namespace gaze::cli
