// `gaze info`: version, backends, libraries, threads and devices.
#include <fmt/format.h>

#include "backends/build_info.h"
#include "framework/backend_registry.h"
#include "backends/threads.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/lib/distributed/communicator.h"
#include "trainers/lib/distributed/nccl_communicator.h"

namespace gaze::cli {

void add_info_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("info");
  describe_command(*cmd, "Print the version, backends, libraries, threads and devices",
                   "What this build can run: its version, commit and compiler; the CPU backends built and the one "
                   "selected (--backend, GAZE_BACKEND, else the fastest); whether the GPU backend is built; the "
                   "libraries and their versions; the threads the CPU backends use (--threads, GAZE_NUM_THREADS); "
                   "the GPUs found, or why there are none.",
                   "  gaze info\n"
                   "  gaze info --backend openblas --threads 2     # what a run with these options uses\n");
  cmd->callback([&options] {
    run_guarded(options, [] {
      BuildInfo info = build_info(/*open_on_demand_libraries=*/true);
      fmt::print("gaze {} (commit {}, {} build, {})\n", info.version, info.commit, info.build_type, info.compiler);
      fmt::print("backends built: {} (selected: {})\n", fmt::join(available_backends(), ", "), cpu_backend().name());
      fmt::print("GPU backend: {}\n", cuda_backend_built() ? "cuda (runs tensors on cuda:N devices)" : "none (built without CUDA)");
      fmt::print("libraries:\n");
      for (const auto& [name, version] : info.libraries) fmt::print("  {:<13} {}\n", name, version);
      // Data-parallel training's transports (docs/distributed.md).
      fmt::print("  {:<13} {}\n", "MPI", mpi_library_version());
      fmt::print("  {:<13} {}\n", "NCCL", nccl_library_version());
      fmt::print("threads: {} (--threads or GAZE_NUM_THREADS; the reference backend always uses 1)\n", num_threads());
      fmt::print("devices:\n");
      for (const auto& device : info.devices) fmt::print("  {}\n", device);
      if (!info.cuda_status.empty()) fmt::print("  (no GPU: {})\n", info.cuda_status);
    });
  });
}

}  // namespace gaze::cli
