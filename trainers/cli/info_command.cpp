// `gaze info`: version, backends, libraries, threads and devices.
#include <fmt/format.h>

#include "backends/build_info.h"
#include "backends/registry.h"
#include "framework/error.h"
#include "trainers/cli/commands.h"

namespace gaze::cli {

std::string version_string() {
  BuildInfo info = build_info();
  return fmt::format("gaze {} ({})", info.version, info.commit);
}

int run_guarded(const std::function<void()>& body) {
  try {
    body();
    return 0;
  } catch (const Error& e) {
    fmt::print(stderr, "gaze: error: {}\n", e.what());
    return 1;
  }
}

void add_info_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("info", "Print the version, the backends built, library versions, threads and devices");
  cmd->callback([&app] {
    int status = run_guarded([&app] {
      std::string backend = app.get_option("--backend")->as<std::string>();
      if (!backend.empty()) set_cpu_backend(backend);
      BuildInfo info = build_info();
      fmt::print("gaze {} (commit {}, {} build, {})\n", info.version, info.commit, info.build_type, info.compiler);
      fmt::print("backends built: {} (selected: {})\n", fmt::join(available_backends(), ", "), cpu_backend().name());
      fmt::print("libraries:\n");
      for (const auto& [name, version] : info.libraries) fmt::print("  {:<13} {}\n", name, version);
      fmt::print("threads: 1 (the reference backend is single-threaded)\n");
      fmt::print("devices:\n");
      for (const auto& device : info.devices) fmt::print("  {}\n", device);
      if (!info.cuda_status.empty()) fmt::print("  (no GPU: {})\n", info.cuda_status);
    });
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace gaze::cli
