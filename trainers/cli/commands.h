// Each CLI subcommand registers itself on the app; its callback does the work.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

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

// Applies the global options, then runs `body`; a gaze::Error becomes one line on stderr and
// exit status `error_status` (CLI::RuntimeError carries it out of CLI11): 1 for a failed run,
// 2 for bad input (`gaze config`: a config that does not validate, an unknown section).
void run_guarded(const GlobalOptions& options, const std::function<void()>& body, int error_status = 1);

}  // namespace gaze::cli
