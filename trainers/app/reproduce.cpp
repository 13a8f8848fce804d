#include "trainers/app/reproduce.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/config/config.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"

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
    if (!plan.empty() && p.runs.front().text("data.dataset") != plan.front().runs.front().text("data.dataset"))
      fail("reproduce: {} trains on {} but {} on {}: a table compares one task; put each task's configs in its own directory", file,
           p.runs.front().text("data.dataset"), plan.front().file, plan.front().runs.front().text("data.dataset"));
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
    for (const Config& config : p.runs) {
      const RunPaths paths = run_paths(config, p.file);
      std::error_code ec;
      nlohmann::json result;
      if (fs::exists(paths.result(), ec)) {
        fmt::print("reproduce: {} finished already; reading {}\n", paths.dir, paths.result());
        result = nlohmann::json::parse(read_file(paths.result()));
      } else {
        // A run cut short continues (--resume auto: from its newest checkpoint, or from the
        // beginning when it stopped before its first).
        const bool cut_short = !latest_checkpoint(paths.checkpoints()).empty() || fs::exists(paths.metrics(), ec);
        fmt::print("reproduce: {} seed {} -> {}{}\n", row.config, config.integer("train.seed"), paths.dir,
                   cut_short ? " (resuming)" : "");
        std::fflush(stdout);
        train(config, TrainOptions{.config_path = p.file, .resume = cut_short ? "auto" : "", .weights = "", .command_line = options.command_line,
                                   .progress = options.progress, .hooks = {}});
        result = nlohmann::json::parse(read_file(paths.result()));
      }
      row.parameters = result.at("parameters");
      row.model = result.value("model", "");
      for (const auto& cell : result.at("table")) {
        const std::string title = cell.at("title");
        auto it = std::find(row.titles.begin(), row.titles.end(), title);
        if (it == row.titles.end()) row.titles.push_back(title), row.values.emplace_back(), it = row.titles.end() - 1;
        row.values[static_cast<size_t>(it - row.titles.begin())].push_back(cell.at("value"));
      }
      row.seconds_per_epoch.push_back(result.at("seconds_per_epoch"));
    }
    rows.push_back(std::move(row));
  }

  const std::string output = options.output.empty() ? plan.front().runs.front().text("log.dir") : options.output;
  create_directories_or_fail(output);
  const std::string title = fmt::format("gaze reproduce {} --seeds {}", options.dir, options.seeds);
  write_file_atomically(output + "/results.md", results_markdown(rows, title));
  write_file_atomically(output + "/results.csv", results_csv(rows));
  fmt::print("{}", results_markdown(rows, title));
  fmt::print("wrote {0}/results.md and {0}/results.csv\n", output);
  return rows;
}

const std::vector<double>& ReproduceRow::column(const std::string& title) const {
  for (size_t c = 0; c < titles.size(); ++c)
    if (titles[c] == title) return values[c];
  fail("reproduce: {} has no column '{}' (it has: {})", config, title, fmt::join(titles, ", "));
}

namespace {

// The metric columns of the table, in the order the rows first name them.
std::vector<std::string> all_titles(const std::vector<ReproduceRow>& rows) {
  std::vector<std::string> titles;
  for (const auto& r : rows)
    for (const auto& t : r.titles)
      if (std::find(titles.begin(), titles.end(), t) == titles.end()) titles.push_back(t);
  return titles;
}

const std::vector<double>* find_column(const ReproduceRow& row, const std::string& title) {
  for (size_t c = 0; c < row.titles.size(); ++c)
    if (row.titles[c] == title) return &row.values[c];
  return nullptr;
}

}  // namespace

std::string results_markdown(const std::vector<ReproduceRow>& rows, const std::string& title) {
  const std::vector<std::string> titles = all_titles(rows);
  std::string out = fmt::format("<!-- {} -->\n| config | model | parameters |", title);
  for (const auto& t : titles) out += fmt::format(" {} |", t);
  out += " time per epoch (s) | seeds |\n|---|---|---:|";
  for (size_t i = 0; i < titles.size(); ++i) out += "---:|";
  out += "---:|---:|\n";
  for (const auto& r : rows) {
    out += fmt::format("| {} | {} | {} |", r.config, r.model, r.parameters);
    for (const auto& t : titles) {
      const std::vector<double>* v = find_column(r, t);
      if (!v) {
        out += " – |";
        continue;
      }
      const auto [m, sd] = mean_std(*v);
      out += fmt::format(" {:.2f} ± {:.2f} |", m, sd);
    }
    const auto [sec, sec_std] = mean_std(r.seconds_per_epoch);
    out += fmt::format(" {:.1f} ± {:.1f} | {} |\n", sec, sec_std, r.seconds_per_epoch.size());
  }
  return out;
}

std::string results_csv(const std::vector<ReproduceRow>& rows) {
  const std::vector<std::string> titles = all_titles(rows);
  std::string out = "config,model,parameters";
  for (const auto& t : titles) out += fmt::format(",\"{} mean\",\"{} std\",\"{} per seed\"", t, t, t);
  out += ",seconds_per_epoch_mean,seconds_per_epoch_std,seeds\n";
  for (const auto& r : rows) {
    out += fmt::format("{},\"{}\",{}", r.config, r.model, r.parameters);
    for (const auto& t : titles) {
      const std::vector<double>* v = find_column(r, t);
      if (!v) {
        out += ",,,";
        continue;
      }
      const auto [m, sd] = mean_std(*v);
      out += fmt::format(",{:.4f},{:.4f},\"{:.4f}\"", m, sd, fmt::join(*v, ";"));
    }
    const auto [sec, sec_std] = mean_std(r.seconds_per_epoch);
    out += fmt::format(",{:.3f},{:.3f},{}\n", sec, sec_std, r.seconds_per_epoch.size());
  }
  return out;
}

}  // namespace gaze
