// Each CLI subcommand registers itself on the app; its callback does the work.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace gaze::cli {

std::string version_string();
void add_info_command(CLI::App& app);

// Runs `body`, turning a gaze::Error into one line on stderr and exit status 1.
int run_guarded(const std::function<void()>& body);

}  // namespace gaze::cli
