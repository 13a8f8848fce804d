#include "trainers/app/run_directory.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "backends/build_info.h"
#include "framework/backend_registry.h"
#include "backends/threads.h"
#include "framework/error.h"

namespace gaze {

namespace fs = std::filesystem;

RunPaths run_paths(const Config& config, const std::string& config_path) {
  std::string name = config.text("log.name");
  if (name.empty()) name = config_path.empty() ? "run" : fs::path(config_path).stem().string();
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    fail("{}: log.name '{}' must be a plain directory name (no '/')", config.where("log.name"), name);
  return RunPaths{(fs::path(config.text("log.dir")) / name).string()};
}

nlohmann::json environment_manifest(const std::string& config_path, const std::string& command_line) {
  BuildInfo info = build_info();
  nlohmann::json libraries = nlohmann::json::object();
  for (const auto& [name, version] : info.libraries) libraries[name] = version;
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char time_text[64];
  std::strftime(time_text, sizeof(time_text), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return {
      {"gaze_version", info.version},
      {"commit", info.commit},
      {"build_type", info.build_type},
      {"compiler", info.compiler},
      {"libraries", libraries},
      {"backend", cpu_backend().name()},
      {"threads", num_threads()},
      {"devices", info.devices},
      {"host", host},
      {"started", time_text},
      {"config_file", config_path},
      {"command", command_line},
  };
}

MetricsLog::MetricsLog(const std::string& path, int64_t keep_bytes) : path_(path) {
  if (path.empty()) return;  // a data-parallel rank other than 0: it keeps no log
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (exists && keep_bytes >= 0) {
    const auto size = static_cast<int64_t>(fs::file_size(path, ec));
    if (ec || size < keep_bytes)
      fail("{}: holds {} bytes, but the checkpoint logged {}: the metrics log was cut or replaced (start a new run)", path,
           ec ? -1 : size, keep_bytes);
    fs::resize_file(path, static_cast<uintmax_t>(keep_bytes), ec);
    if (ec) fail("{}: cannot cut to {} bytes: {}", path, keep_bytes, ec.message());
  }
  file_ = std::fopen(path.c_str(), keep_bytes >= 0 ? "ab" : "wb");
  if (!file_) fail("{}: cannot open for writing: {}", path, std::strerror(errno));
  bytes_ = keep_bytes >= 0 ? keep_bytes : 0;
}

MetricsLog::~MetricsLog() {
  if (file_) std::fclose(file_);
}

void MetricsLog::write(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  if (!file_) return;
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0)
    fail("{}: cannot write: {}", path_, std::strerror(errno));
  bytes_ += static_cast<int64_t>(line.size());
}

std::vector<nlohmann::json> read_metrics(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail("{}: cannot be read (is this a run directory?)", path);
  std::vector<nlohmann::json> records;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.empty()) continue;
    try {
      records.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      fail("{}:{}: not a JSON record ({})", path, line_number, e.what());
    }
  }
  return records;
}

}  // namespace gaze
