// The gaze command-line program: one subcommand per workflow.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "backends/openblas_core.h"
#include "backends/threads.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/lib/distributed/rank_environment.h"
#include "trainers/tasks/registry.h"

int main(int argc, char** argv) {
  gaze::restart_with_passive_openmp_when_sharing_cores(argv);  // before OpenMP starts: ranks sharing cores must not spin
  gaze::restart_with_best_openblas_core(argv);  // before any work: OpenBLAS picks its kernels once
  try {
    gaze::num_threads();  // reads GAZE_NUM_THREADS and GAZE_FLUSH_DENORMALS: the registry below builds backends
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gaze: %s\n", e.what());
    return gaze::cli::kInputErrorStatus;
  }
  gaze::register_builtin_components();           // the datasets, tasks, backbones and heads configs choose
  CLI::App app{"gaze: self-attention modules for computer vision, from scratch in C++"};
  app.formatter(std::make_shared<gaze::cli::HelpFormatter>());  // before the subcommands: they copy it
  app.footer(gaze::cli::wrap_words(
                 "Run `gaze COMMAND --help` for a command's options and examples. The global options above go "
                 "before or after the command. Exit status: 0 success; 2 the input was refused (a config, a flag, "
                 "a data, weights or checkpoint file) before anything was written; 1 a run failed after it "
                 "started; 130 / 143 a run stopped by Ctrl-C / SIGTERM after writing a checkpoint.",
                 gaze::cli::kHelpWidth) +
             "\n\nExamples:\n"
             "  gaze train configs/quickstart.yaml                  # a small CBAM ResNet into runs/quickstart\n"
             "  gaze config configs/quickstart.yaml --sources       # the resolved config, and who set each key\n"
             "  gaze reproduce configs/classification --seeds 3     # a paper's table at small scale\n"
             "  gaze info                                           # backends, libraries, threads, devices\n");
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: gaze bench --threads 2
  // A callback: build_info() asks the CUDA runtime and cuDNN for their versions, which only --version needs.
  app.set_version_flag("--version", gaze::cli::version_string);
  gaze::cli::GlobalOptions options;
  gaze::cli::add_global_options(app, options);
  gaze::cli::add_info_command(app, options);
  gaze::cli::add_bench_command(app, options);
  gaze::cli::add_config_command(app, options);
  gaze::cli::add_train_command(app, options);
  gaze::cli::add_eval_command(app, options);
  gaze::cli::add_reproduce_command(app, options);
  gaze::cli::add_visualize_command(app, options);
  gaze::cli::add_samples_command(app, options);
  gaze::cli::add_convert_command(app, options);
  gaze::cli::add_allreduce_bench_command(app, options);
  gaze::cli::add_export_command(app, options);
  gaze::cli::remember_command_line(argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a subcommand's status; its message is printed already
  } catch (const CLI::ParseError& e) {
    const int status = app.exit(e);  // prints the usage error (or --help, --version)
    return status == 0 ? 0 : gaze::cli::kInputErrorStatus;  // a bad command line is bad input
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gaze: internal error: %s (please report it)\n", e.what());
    return gaze::cli::kRunFailedStatus;
  }
  return 0;
}
