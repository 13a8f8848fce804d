#include "trainers/app/resume.h"

#include <fmt/format.h>

#include <filesystem>
#include <vector>

#include "framework/error.h"
#include "trainers/app/checkpoints.h"

namespace gaze {

namespace fs = std::filesystem;

bool holds_run(const RunPaths& paths) {
  std::error_code ec;
  return fs::exists(paths.metrics(), ec) || !latest_checkpoint(paths.checkpoints()).empty();
}

void refuse_existing_run(const RunPaths& paths) {
  if (latest_checkpoint(paths.checkpoints()).empty())
    fail("run directory {} holds a run that stopped before its first checkpoint: start it again from the beginning with "
         "--resume auto, or start another with --set log.name=NAME",
         paths.dir);
  fail("run directory {} already holds a run: continue it with --resume auto, or start another with --set log.name=NAME "
       "(or remove the directory)",
       paths.dir);
}

std::string checkpoint_to_resume(const std::string& resume, const RunPaths& paths) {
  if (resume == "auto") return latest_checkpoint(paths.checkpoints());
  std::error_code ec;
  if (fs::is_directory(fs::path(resume) / "checkpoints", ec)) {
    const std::string latest = latest_checkpoint((fs::path(resume) / "checkpoints").string());
    if (latest.empty()) fail("--resume {}: this run directory holds no checkpoint", resume);
    return latest;
  }
  return resume;
}

void check_same_run(const Config& config, const RunPaths& paths) {
  std::error_code ec;
  if (!fs::exists(paths.config(), ec)) return;
  const Config saved = load_config(paths.config(), {}, UnreadKeys::drop);
  std::vector<std::string> changed;
  for (const auto& [key, value] : config.values) {
    if (key.rfind("log.", 0) == 0 || key == "train.backend" || key == "train.threads" || key == "train.log_interval" ||
        key == "data.prefetch" || key == "data.workers")
      continue;
    auto it = saved.values.find(key);
    if (it == saved.values.end() || YAML::Dump(it->second) != YAML::Dump(value)) changed.push_back(key);
  }
  if (!changed.empty())
    fail("cannot resume: {} differ from the run's {} ({}); resuming would mix two runs — start a new run (--set log.name=...) instead",
         changed.size() == 1 ? "this key's value would" : "these keys' values would", paths.config(), fmt::join(changed, ", "));
}

}  // namespace gaze
