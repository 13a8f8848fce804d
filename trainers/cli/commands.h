// Each CLI subcommand registers itself on the app; its callback does the work.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"

namespace gaze::cli {

// Options every subcommand takes (given before or after the subcommand's name).
struct GlobalOptions {
  std::string backend;  // empty: GAZE_BACKEND or the fastest built
  int threads = 0;      // 0: GAZE_NUM_THREADS or the hardware's count
  bool fallback = false;  // run kernels the backend lacks on `reference` instead of failing
};

std::string version_string();
void add_global_options(CLI::App& app, GlobalOptions& options);
void add_info_command(CLI::App& app, GlobalOptions& options);
void add_bench_command(CLI::App& app, GlobalOptions& options);
void add_config_command(CLI::App& app, GlobalOptions& options);
void add_train_command(CLI::App& app, GlobalOptions& options);
void add_eval_command(CLI::App& app, GlobalOptions& options);
void add_reproduce_command(CLI::App& app, GlobalOptions& options);
void add_visualize_command(CLI::App& app, GlobalOptions& options);
void add_samples_command(CLI::App& app, GlobalOptions& options);
void add_convert_command(CLI::App& app, GlobalOptions& options);
void add_allreduce_bench_command(CLI::App& app, GlobalOptions& options);
void add_export_command(CLI::App& app, GlobalOptions& options);

// Exit statuses, one rule for every subcommand (README, docs/training.md):
//   0 success; 2 the input was refused (a config, a flag, a data, weights or checkpoint file),
//   before anything was written; 1 a run that failed after it started (its directory could not
//   be written, the loss diverged, ...); 128 + signal a run stopped by SIGINT (130) or SIGTERM
//   (143) after writing a checkpoint.
inline constexpr int kInputErrorStatus = 2;
inline constexpr int kRunFailedStatus = 1;

// Applies the global options, then runs `body`; an error becomes one line on stderr and the exit
// status above (CLI::RuntimeError carries it out of CLI11): 2 for a gaze::InputError (wrap code
// whose every failure is bad input in input_phase), 1 for any other error.
void run_guarded(const GlobalOptions& options, const std::function<void()>& body);

// The config's train.backend and train.threads, unless --backend / --threads (or their
// environment variables) chose already: the command line wins over the file.
void apply_config_runtime(const GlobalOptions& options, const Config& config);

// Loads and validates a config; a bad one is one message and exit status 2, before anything runs.
Config load_config_or_exit(const GlobalOptions& options, const std::string& path, const std::vector<std::string>& sets);

// The command line as typed, for run manifests.
void remember_command_line(int argc, char** argv);
const std::string& remembered_command_line();

}  // namespace gaze::cli
