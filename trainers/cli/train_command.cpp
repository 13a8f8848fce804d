// `gaze train CONFIG`: one training run (trainers/app/trainer.h) into its run directory.
#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/cli/commands.h"
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
  auto* cmd = app.add_subcommand("train",
                                 "Train a model from a config into log.dir/log.name (default runs/<config name>): resolved config, "
                                 "manifest, metrics.jsonl, checkpoints, curves.png, confusion.png");
  auto args = std::make_shared<TrainArgs>();
  cmd->add_option("config", args->config, "The config file (YAML); see `gaze config --explain`")->required();
  cmd->add_option("--set", args->sets, "Override a key: --set optim.lr=0.05 (repeatable)")->allow_extra_args(false);
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
