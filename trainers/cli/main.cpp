// The gaze command-line program: one subcommand per workflow.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "backends/registry.h"
#include "framework/error.h"
#include "trainers/cli/commands.h"

int main(int argc, char** argv) {
  CLI::App app{"gaze: self-attention modules for computer vision, from scratch in C++"};
  app.require_subcommand(1);
  app.set_version_flag("--version", gaze::cli::version_string());
  std::string backend;
  app.add_option("--backend", backend, "CPU backend to run kernels on (see `gaze info`); also GAZE_BACKEND")
      ->envname("GAZE_BACKEND");

  gaze::cli::add_info_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
