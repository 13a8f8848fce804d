// `gaze reproduce DIR --seeds N`: every config of DIR trained with N seeds, and the results table.
#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/app/reproduce.h"

namespace gaze::cli {

void add_reproduce_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("reproduce",
                                 "Train every config of a directory with several seeds and write the table (mean ± std of top-1 "
                                 "error, parameters, time per epoch) as results.md and results.csv; finished runs are reused, "
                                 "interrupted ones resumed");
  auto args = std::make_shared<ReproduceOptions>();
  cmd->add_option("dir", args->dir, "A directory of configs, e.g. configs/classification")->required();
  cmd->add_option("--seeds", args->seeds, "Seeds per config (train.seed = 0 .. N-1)")->check(CLI::Range(1, 100));
  cmd->add_option("--set", args->sets, "Override a key in every config (repeatable)")->allow_extra_args(false);
  cmd->add_option("--output", args->output, "Directory for results.md and results.csv (default: the configs' log.dir)");
  auto no_progress = std::make_shared<bool>(false);
  cmd->add_flag("--no-progress", *no_progress, "Do not draw progress bars");
  cmd->callback([&options, args, no_progress] {
    args->command_line = remembered_command_line();
    args->progress = !*no_progress;
    std::vector<ReproducePlan> plan;
    run_guarded(options, [&] { plan = input_phase([&] { return plan_reproduce(*args); }); });
    run_guarded(options, [&] {
      apply_config_runtime(options, plan.front().runs.front());
      reproduce(*args);
    });
  });
}

}  // namespace gaze::cli
