// The gaze command-line program: one subcommand per workflow.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "backends/openblas_core.h"
#include "trainers/cli/commands.h"
#include "trainers/tasks/registry.h"

int main(int argc, char** argv) {
  gaze::restart_with_best_openblas_core(argv);  // before any work: OpenBLAS picks its kernels once
  gaze::register_builtin_components();           // the datasets, tasks, backbones and heads configs choose
  CLI::App app{"gaze: self-attention modules for computer vision, from scratch in C++"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: gaze bench --threads 2
  app.set_version_flag("--version", gaze::cli::version_string());
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
