// A run directory holds everything one training run leaves behind:
//   config.yaml      the resolved config (every key, defaults filled in)
//   manifest.json    commit, compiler, libraries, backend, threads, device, command line, times
//   metrics.jsonl    one JSON object a line: train intervals, epoch summaries, evaluations
//   train.log        the console's lines (log lines with throughput and ETAs, epoch summaries)
//   checkpoints/     step-<global step>/{model,trainer}.safetensors (trainers/app/checkpoints.h)
//   best.safetensors the weights with the best validation top-1 so far
//   result.json      the final figures (written last: its presence means the run finished)
//   curves.png, confusion.png
//   events.out.tfevents.*  with log.tensorboard (hooks/tensorboard_hook.cpp)
#pragma once
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"

namespace gaze {

struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.yaml"; }
  std::string manifest() const { return dir + "/manifest.json"; }
  std::string metrics() const { return dir + "/metrics.jsonl"; }
  std::string train_log() const { return dir + "/train.log"; }
  std::string checkpoints() const { return dir + "/checkpoints"; }
  std::string best_weights() const { return dir + "/best.safetensors"; }
  std::string result() const { return dir + "/result.json"; }
  std::string curves() const { return dir + "/curves.png"; }
  std::string confusion() const { return dir + "/confusion.png"; }
};

// log.dir / log.name, or log.dir / <config file's stem> when log.name is empty.
RunPaths run_paths(const Config& config, const std::string& config_path);

// The environment of a run, for manifest.json.
nlohmann::json environment_manifest(const std::string& config_path, const std::string& command_line);

// metrics.jsonl, appended one flushed line per record. Opening with `keep_bytes` >= 0 first cuts
// the file to that length: a resumed run drops what the killed run logged after its checkpoint.
class MetricsLog {
 public:
  MetricsLog(const std::string& path, int64_t keep_bytes);  // path "": writes nothing
  ~MetricsLog();
  MetricsLog(const MetricsLog&) = delete;
  MetricsLog& operator=(const MetricsLog&) = delete;
  void write(const nlohmann::json& record);
  int64_t bytes() const { return bytes_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  int64_t bytes_ = 0;
};

// Every record of a metrics.jsonl; a line that does not parse is an error naming file and line.
std::vector<nlohmann::json> read_metrics(const std::string& path);

}  // namespace gaze
