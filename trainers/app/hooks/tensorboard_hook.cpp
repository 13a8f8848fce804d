// log.tensorboard: the run as TensorBoard shows it. The scalars are metrics.jsonl's records, read
// back as they are written, so the two never disagree: each number of a record becomes the scalar
// "<type>/<key>" ("<split>/<key>" for evaluations: train/loss, epoch/train_accuracy, val/top1,
// test/top1) at the record's global step.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "framework/error.h"
#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/tensorboard_writer.h"

namespace gaze {

namespace {

namespace fs = std::filesystem;

// metrics.jsonl's bytes [from, to): whole records, since the log writes and flushes a line at once.
std::string read_range(const std::string& path, int64_t from, int64_t to) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(static_cast<size_t>(to - from), '\0');
  if (!in.seekg(from) || !in.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    fail("{}: cannot read bytes {}..{} for TensorBoard: {}", path, from, to, std::strerror(errno));
  return bytes;
}

// Indented four spaces: Markdown's code block, so TensorBoard's text plugin shows the YAML as is.
std::string as_code_block(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += "    " + line + "\n";
  return out;
}

class TensorBoardHook final : public Hook {
 public:
  void before_run(TrainingRun& run) override {
    writer_ = std::make_unique<TensorBoardWriter>(run.paths.dir);
    logged_bytes_ = run.log.bytes();  // a resumed run's earlier records are in the earlier files
    if (run.state.global_step > 0) writer_->session_start(run.state.global_step + 1);
    writer_->text("config", run.state.global_step, as_code_block(run.config.to_yaml()));
  }

  void after_step(TrainingRun& run, const StepReport&) override { write_new_records(run); }

  void after_epoch(TrainingRun& run, const EpochReport&) override {
    write_new_records(run);
    write_changed_pictures(run);
  }

  void after_run(TrainingRun& run, RunReport&) override {
    write_new_records(run);
    write_changed_pictures(run);
  }

 private:
  void write_new_records(TrainingRun& run) {
    const int64_t end = run.log.bytes();
    if (end == logged_bytes_) return;
    std::istringstream lines(read_range(run.paths.metrics(), logged_bytes_, end));
    logged_bytes_ = end;
    for (std::string line; std::getline(lines, line);) {
      const nlohmann::json record = nlohmann::json::parse(line);
      const std::string type = record.value("type", "");
      const std::string group = type == "eval" ? record.value("split", type) : type;
      const int64_t step = record.value("global_step", run.state.global_step);
      for (const auto& [key, value] : record.items())
        if (value.is_number() && key != "epoch" && key != "step" && key != "global_step")
          writer_->scalar(group + "/" + key, step, value.get<double>());
    }
  }

  // The run directory's PNGs (curves.png, the task's pictures), each named by its stem, at the
  // step they were drawn, when they differ from what this file already holds.
  void write_changed_pictures(TrainingRun& run) {
    std::map<std::string, std::string> pictures;  // by name: the same order every time
    for (const fs::directory_entry& entry : fs::directory_iterator(run.paths.dir))
      if (entry.is_regular_file() && entry.path().extension() == ".png") pictures[entry.path().stem().string()] = entry.path().string();
    for (const auto& [name, path] : pictures) {
      const std::string png = read_file(path);
      if (auto it = written_.find(name); it != written_.end() && it->second == png) continue;
      writer_->image(name, run.state.global_step, png);
      written_[name] = png;
    }
  }

  std::unique_ptr<TensorBoardWriter> writer_;
  int64_t logged_bytes_ = 0;               // of metrics.jsonl, already written as scalars
  std::map<std::string, std::string> written_;  // each picture as last written
};

}  // namespace

std::unique_ptr<Hook> make_tensorboard_hook() { return std::make_unique<TensorBoardHook>(); }

}  // namespace gaze
