// What every subcommand shares: the global options and error handling.
#include <fmt/format.h>

#include <cstdlib>

#include "backends/build_info.h"
#include "framework/backend_registry.h"
#include "backends/threads.h"
#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/app/interrupt.h"
#include "trainers/lib/distributed/communicator.h"
#include "trainers/lib/distributed/rank_environment.h"

namespace gaze::cli {

std::string version_string() {
  BuildInfo info = build_info();
  return fmt::format("gaze {} ({})", info.version, info.commit);
}

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--backend", options.backend, "CPU backend to run kernels on (see `gaze info`); also GAZE_BACKEND")
      ->envname("GAZE_BACKEND")
      ->option_text("NAME");
  app.add_option("--threads", options.threads, "Threads for every CPU backend (OpenMP, OpenBLAS, oneDNN), 1 to 1024; also GAZE_NUM_THREADS")
      ->check(CLI::Range(1, 1024))
      ->option_text("N");
  app.add_flag("--fallback", options.fallback, "Run kernels the selected backend lacks on 'reference' instead of failing; also GAZE_FALLBACK=1")
      ->envname("GAZE_FALLBACK");
}

void run_guarded(const GlobalOptions& options, const std::function<void()>& body) {
  try {
    input_phase([&] {
      num_threads();  // reports a bad GAZE_NUM_THREADS before any output
      if (!options.backend.empty()) set_cpu_backend(options.backend);
      if (options.threads > 0) set_num_threads(options.threads);
      set_backend_fallback(options.fallback);
    });
    body();
  } catch (const InputError& e) {
    fmt::print(stderr, "gaze: error: {}\n", e.what());
    throw CLI::RuntimeError(kInputErrorStatus);
  } catch (const Error& e) {
    fmt::print(stderr, "gaze: error: {}\n", e.what());
    throw CLI::RuntimeError(kRunFailedStatus);
  } catch (const Interrupted& e) {
    fmt::print(stderr, "gaze: {}\n", e.what());
    throw CLI::RuntimeError(e.exit_status());
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "gaze: error: out of memory (a smaller data.batch_size or model, or fewer data.prefetch batches, may fit)\n");
    throw CLI::RuntimeError(kRunFailedStatus);
  } catch (const CLI::Error&) {
    throw;
  } catch (const std::exception& e) {
    // Every failure gaze knows of is a gaze::Error; anything else is a bug, but still one line
    // and a status rather than std::terminate.
    fmt::print(stderr, "gaze: internal error: {} (please report it)\n", e.what());
    throw CLI::RuntimeError(kRunFailedStatus);
  }
}

void apply_config_runtime(const GlobalOptions& options, const Config& config) {
  const std::string backend = config.text("train.backend");
  if (options.backend.empty() && backend != "auto") set_cpu_backend(backend);
  const int64_t threads = config.integer("train.threads");
  if (options.threads == 0 && threads > 0 && !std::getenv("GAZE_NUM_THREADS")) set_num_threads(static_cast<int>(threads));
  // Ranks launched together on one machine share its cores unless told otherwise.
  if (launched_with_several_ranks() && options.threads == 0 && threads == 0 && !std::getenv("GAZE_NUM_THREADS") &&
      config.text("train.distributed") == "auto")
    set_num_threads(threads_per_rank());
}

Config load_config_or_exit(const GlobalOptions& options, const std::string& path, const std::vector<std::string>& sets) {
  Config config;
  run_guarded(options, [&] { config = load_config(path, sets); });  // load_config's errors are InputErrors
  return config;
}

namespace {
std::string& command_line_storage() {
  static std::string text;
  return text;
}
}  // namespace

void remember_command_line(int argc, char** argv) {
  std::string text;
  for (int i = 0; i < argc; ++i) text += (i ? " " : "") + std::string(argv[i]);
  command_line_storage() = text;
}

const std::string& remembered_command_line() { return command_line_storage(); }

}  // namespace gaze::cli
