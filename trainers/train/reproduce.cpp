#include "trainers/train/reproduce.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/error.h"
#include "trainers/checkpoint/atomic_file.h"
#include "trainers/config/config.h"
#include "trainers/train/checkpoints.h"
#include "trainers/train/run_directory.h"
#include "trainers/train/trainer.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> config_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("reproduce: {} is not a directory of configs (e.g. configs/classification)", dir);
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_regular_file() && (entry.path().extension() == ".yaml" || entry.path().extension() == ".yml"))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) fail("reproduce: {} holds no .yaml configs", dir);
  return files;
}

std::string attention_text(const Config& config) {
  const YAML::Node& spec = config.node("model.attention");
  if (!spec.IsMap() || spec.size() == 0 || !spec["type"]) return "none";
  return fmt::format("{} ({})", spec["type"].as<std::string>(), config.text("model.attention_placement"));
}

}  // namespace

std::pair<double, double> mean_std(const std::vector<double>& values) {
  if (values.empty()) return {0.0, 0.0};
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  if (values.size() < 2) return {mean, 0.0};
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size() - 1))};
}

std::vector<ReproducePlan> plan_reproduce(const ReproduceOptions& options) {
  if (options.seeds < 1) fail("reproduce: --seeds must be at least 1 (got {})", options.seeds);
  std::vector<ReproducePlan> plan;
  for (const auto& file : config_files(options.dir)) {
    ReproducePlan p{file, {}};
    const std::string stem = fs::path(file).stem().string();
    for (int64_t seed = 0; seed < options.seeds; ++seed) {
      std::vector<std::string> sets = options.sets;
      sets.push_back(fmt::format("train.seed={}", seed));
      Config base = load_config(file, sets);
      const std::string name = base.text("log.name").empty() ? stem : base.text("log.name");
      sets.push_back(fmt::format("log.name={}-seed{}", name, seed));
      p.runs.push_back(load_config(file, sets));
    }
    plan.push_back(std::move(p));
  }
  return plan;
}

std::vector<ReproduceRow> reproduce(const ReproduceOptions& options) {
  const std::vector<ReproducePlan> plan = plan_reproduce(options);
  std::vector<ReproduceRow> rows;
  for (const auto& p : plan) {
    ReproduceRow row;
    row.config = fs::path(p.file).stem().string();
    row.attention = attention_text(p.runs.front());
    for (const Config& config : p.runs) {
      const RunPaths paths = run_paths(config, p.file);
      std::error_code ec;
      nlohmann::json result;
      if (fs::exists(paths.result(), ec)) {
        fmt::print("reproduce: {} finished already; reading {}\n", paths.dir, paths.result());
        result = nlohmann::json::parse(read_file(paths.result()));
      } else {
        const bool cut_short = !latest_checkpoint(paths.checkpoints()).empty();
        fmt::print("reproduce: {} seed {} -> {}{}\n", row.config, config.integer("train.seed"), paths.dir,
                   cut_short ? " (resuming)" : "");
        std::fflush(stdout);
        if (!cut_short && fs::exists(paths.metrics(), ec))
          fail("reproduce: {} holds a run without a checkpoint or result; remove it to train it again", paths.dir);
        train(config, TrainOptions{.config_path = p.file, .resume = cut_short ? "auto" : "", .weights = "", .command_line = options.command_line,
                                   .progress = options.progress});
        result = nlohmann::json::parse(read_file(paths.result()));
      }
      row.parameters = result.at("parameters");
      row.top1_error.push_back(100.0 * (1.0 - result.at("test_top1").get<double>()));
      row.seconds_per_epoch.push_back(result.at("seconds_per_epoch"));
    }
    rows.push_back(std::move(row));
  }

  const std::string output = options.output.empty() ? plan.front().runs.front().text("log.dir") : options.output;
  std::error_code ec;
  fs::create_directories(output, ec);
  if (ec) fail("reproduce: cannot create {}: {}", output, ec.message());
  const std::string title = fmt::format("gaze reproduce {} --seeds {}", options.dir, options.seeds);
  write_file_atomically(output + "/results.md", results_markdown(rows, title));
  write_file_atomically(output + "/results.csv", results_csv(rows));
  fmt::print("{}", results_markdown(rows, title));
  fmt::print("wrote {0}/results.md and {0}/results.csv\n", output);
  return rows;
}

std::string results_markdown(const std::vector<ReproduceRow>& rows, const std::string& title) {
  std::string out = fmt::format("<!-- {} -->\n| config | attention | parameters | top-1 error (%) | time per epoch (s) | seeds |\n"
                                "|---|---|---:|---:|---:|---:|\n",
                                title);
  for (const auto& r : rows) {
    const auto [err, err_std] = mean_std(r.top1_error);
    const auto [sec, sec_std] = mean_std(r.seconds_per_epoch);
    out += fmt::format("| {} | {} | {} | {:.2f} ± {:.2f} | {:.1f} ± {:.1f} | {} |\n", r.config, r.attention, r.parameters, err, err_std, sec,
                       sec_std, r.top1_error.size());
  }
  return out;
}

std::string results_csv(const std::vector<ReproduceRow>& rows) {
  std::string out = "config,attention,parameters,top1_error_mean,top1_error_std,seconds_per_epoch_mean,seconds_per_epoch_std,seeds,top1_errors\n";
  for (const auto& r : rows) {
    const auto [err, err_std] = mean_std(r.top1_error);
    const auto [sec, sec_std] = mean_std(r.seconds_per_epoch);
    out += fmt::format("{},\"{}\",{},{:.4f},{:.4f},{:.3f},{:.3f},{},\"{:.4f}\"\n", r.config, r.attention, r.parameters, err, err_std, sec,
                       sec_std, r.top1_error.size(), fmt::join(r.top1_error, ";"));
  }
  return out;
}

}  // namespace gaze
