// `gaze reproduce DIR --seeds N`: every config of DIR trained with N seeds, and the results table.
#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/app/reproduce.h"

namespace gaze::cli {

void add_reproduce_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("reproduce");
  describe_command(*cmd, "Train a directory's configs with several seeds; write the results table",
                   "Trains each .yaml config of the directory with train.seed 0 .. N-1 (runs named "
                   "<config>-seed<N>), then writes the table of the task's metrics (mean ± std over seeds), "
                   "parameters and time per epoch as results.md and results.csv. Finished runs are reused and "
                   "interrupted ones resumed, so the same command continues a table. The configs of one "
                   "directory must train one task.",
                   "  gaze reproduce configs/classification --seeds 3     # baseline / SE / CBAM / BAM\n"
                   "  gaze reproduce configs/action --seeds 3             # Non-local Table 2\n"
                   "  gaze reproduce configs/action/relations --seeds 3   # the same on relations between passes\n"
                   "  gaze reproduce configs/segmentation --seeds 3       # DANet Table 1 (mIoU)\n"
                   "  gaze reproduce configs/reid --seeds 3               # video re-ID (rank-1/5, mAP)\n");
  auto args = std::make_shared<ReproduceOptions>();
  cmd->add_option("dir", args->dir, "A directory of configs, e.g. configs/classification")->required();
  cmd->add_option("--seeds", args->seeds, "Seeds per config, 1 to 100 (default 3; train.seed = 0 .. N-1)")
      ->check(CLI::Range(1, 100))
      ->option_text("N");
  cmd->add_option("--set", args->sets, "Override a key in every config (repeatable)")
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
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
