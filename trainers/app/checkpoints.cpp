#include "trainers/app/checkpoints.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/safetensors.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

constexpr const char* kModelFile = "model.safetensors";
constexpr const char* kTrainerFile = "trainer.safetensors";
constexpr const char* kCheckpointPrefix = "step-";

}  // namespace

// One field list serves both directions of the trainer state's JSON.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TrainerState, epoch, step_in_epoch, global_step, rng_state, best_score, best_epoch,
                                   metrics_bytes, interval_loss, interval_steps, epoch_loss, epoch_examples, epoch_correct, epoch_counted,
                                   epoch_seconds)

namespace {

TrainerState parse_state(const std::string& text, const std::string& where) {
  try {
    return nlohmann::json::parse(text).get<TrainerState>();
  } catch (const nlohmann::json::exception& e) {
    fail("checkpoint {} is corrupt: its trainer state does not parse ({}); resume from an earlier checkpoint", where, e.what());
  }
}

std::map<std::string, Tensor> as_map(const NamedTensors& tensors) {
  std::map<std::string, Tensor> out;
  for (const auto& [name, t] : tensors) out[name] = t;
  return out;
}

void sync_directory(const fs::path& dir) {
  if (!durable_writes()) return;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// step-N directories, oldest first.
std::vector<fs::path> checkpoint_dirs(const std::string& checkpoints_dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  if (!fs::is_directory(checkpoints_dir, ec)) return dirs;
  for (const auto& entry : fs::directory_iterator(checkpoints_dir, ec))
    if (entry.is_directory() && entry.path().filename().string().rfind(kCheckpointPrefix, 0) == 0) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());  // zero-padded step numbers sort as numbers
  return dirs;
}

void load_model_strict(const std::string& path, Module& model) {
  SafetensorsFile file = load_safetensors(path);
  try {
    model.load_state_dict(as_map(file.tensors), /*strict=*/true);
  } catch (const Error& e) {
    fail("{}: these weights do not fit the model: {}", path, e.what());
  }
}

}  // namespace

void save_weights(const std::string& path, const Module& model, const std::map<std::string, std::string>& metadata) {
  NamedTensors tensors;
  for (const auto& [name, t] : model.state_dict()) tensors.emplace_back(name, t);
  save_safetensors(path, tensors, metadata);
}

std::string save_checkpoint(const std::string& checkpoints_dir, const Module& model, const Optimizer& optimizer,
                            const TrainerState& state, int64_t keep) {
  const std::string name = fmt::format("{}{:08d}", kCheckpointPrefix, state.global_step);
  const fs::path final_dir = fs::path(checkpoints_dir) / name;
  const fs::path partial = fs::path(checkpoints_dir) / (".partial-" + name);
  std::error_code ec;
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  if (ec) fail("cannot create checkpoint directory {}: {}", partial.string(), ec.message());
  save_weights((partial / kModelFile).string(), model, {{"format", "pt"}});
  save_safetensors((partial / kTrainerFile).string(), optimizer.state(), {{"gaze.trainer_state", nlohmann::json(state).dump()}});
  fs::remove_all(final_dir, ec);  // a checkpoint of the same step from a run that was cut short
  fs::rename(partial, final_dir, ec);
  if (ec) fail("cannot move checkpoint into place at {}: {}", final_dir.string(), ec.message());
  sync_directory(checkpoints_dir);
  auto dirs = checkpoint_dirs(checkpoints_dir);
  for (size_t i = 0; i + static_cast<size_t>(std::max<int64_t>(keep, 1)) < dirs.size(); ++i) fs::remove_all(dirs[i], ec);
  return final_dir.string();
}

std::string latest_checkpoint(const std::string& checkpoints_dir) {
  auto dirs = checkpoint_dirs(checkpoints_dir);
  return dirs.empty() ? "" : dirs.back().string();
}

TrainerState load_checkpoint(const std::string& checkpoint_dir, Module& model, Optimizer& optimizer) {
  const fs::path dir(checkpoint_dir);
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    fail("checkpoint {} does not exist or is not a directory (expected .../checkpoints/step-N)", checkpoint_dir);
  // Read and verify both files before touching the model or the optimizer.
  SafetensorsFile weights = load_safetensors((dir / kModelFile).string());
  SafetensorsFile trainer = load_safetensors((dir / kTrainerFile).string());
  auto it = trainer.metadata.find("gaze.trainer_state");
  if (it == trainer.metadata.end())
    fail("checkpoint {} is corrupt: {} has no trainer state; resume from an earlier checkpoint", checkpoint_dir, kTrainerFile);
  TrainerState state = parse_state(it->second, checkpoint_dir);
  try {
    model.load_state_dict(as_map(weights.tensors), /*strict=*/true);
    optimizer.load_state(trainer.tensors);
  } catch (const Error& e) {
    fail("checkpoint {} does not fit this model and optimizer: {} (was the config changed since it was written?)", checkpoint_dir,
         e.what());
  }
  return state;
}

std::string resolve_weights_path(const std::string& path) {
  const fs::path p(path);
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return path;
  if (fs::is_directory(p, ec)) {
    if (fs::is_regular_file(p / kModelFile, ec)) return (p / kModelFile).string();
    if (fs::is_regular_file(p / "best.safetensors", ec)) return (p / "best.safetensors").string();
    const std::string latest = latest_checkpoint((p / "checkpoints").string());
    if (!latest.empty()) return (fs::path(latest) / kModelFile).string();
    fail("{}: holds no weights (expected a .safetensors file, a checkpoint directory or a run directory)", path);
  }
  fail("weights {} do not exist (give a .safetensors file, a checkpoint directory or a run directory)", path);
}

void load_weights(const std::string& path, Module& model) { load_model_strict(resolve_weights_path(path), model); }

}  // namespace gaze
