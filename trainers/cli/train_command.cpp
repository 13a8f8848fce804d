// `gaze train CONFIG`: one training run (trainers/app/trainer.h) into its run directory.
#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/app/trainer.h"

namespace gaze::cli {

namespace {
struct TrainArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string resume, weights;
  bool no_progress = false;
};
}  // namespace

void add_train_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("train");
  describe_command(*cmd, "Train a model from a config into its run directory",
                   "Validates the config, then trains into log.dir/log.name (default runs/<config file name>): "
                   "the resolved config, an environment manifest, metrics.jsonl, checkpoints, the best weights, "
                   "curves.png and the task's pictures. Ctrl-C or SIGTERM writes a checkpoint and prints the "
                   "command that continues the run; --resume auto continues it, even after SIGKILL. --weights "
                   "starts a new run from trained weights. docs/training.md explains every file.",
                   "  gaze train configs/quickstart.yaml                  # into runs/quickstart\n"
                   "  gaze train configs/quickstart.yaml --resume auto    # continue it after an interruption\n"
                   "  gaze train configs/classification/cbam_resnet.yaml --set train.epochs=2 --set log.name=try\n"
                   "  gaze train configs/quickstart.yaml --weights runs/quickstart --set log.name=finetune\n"
                   "  mpirun -np 2 gaze train configs/quickstart.yaml --set data.batch_size=64   # 2 ranks x 64\n");
  auto args = std::make_shared<TrainArgs>();
  cmd->add_option("config", args->config, "The config file (YAML); see `gaze config --explain`")->required();
  cmd->add_option("--set", args->sets, "Override a key: --set optim.lr=0.05 (repeatable)")
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
  cmd->add_option("--resume", args->resume,
                  "Continue a run: 'auto' (the newest checkpoint of this config's run directory), a checkpoint directory or a "
                  "run directory");
  cmd->add_option("--weights", args->weights, "Start from these weights (.safetensors, checkpoint or run directory); not with --resume");
  cmd->add_flag("--no-progress", args->no_progress, "Do not draw progress bars (log lines still print)");
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      apply_config_runtime(options, config);
      train(config, TrainOptions{.config_path = args->config, .resume = args->resume, .weights = args->weights,
                                 .command_line = remembered_command_line(), .progress = !args->no_progress});
    });
  });
}

}  // namespace gaze::cli
