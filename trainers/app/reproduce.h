// `gaze reproduce DIR`: every config of a directory trained with several seeds, and the table of
// the results (mean ± sample standard deviation over seeds) as Markdown and CSV.
//
// Each (config, seed) run goes to <log.dir>/<config name>-seed<s>. A run that finished already
// (result.json present) is read, not retrained; one that was cut short is resumed from its newest
// checkpoint. So an interrupted reproduce continues where it stopped when started again.
#pragma once
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"

namespace gaze {

struct ReproduceOptions {
  std::string dir;                  // holds the configs (*.yaml, taken in name order)
  int64_t seeds = 3;                // train.seed = 0 .. seeds-1
  std::vector<std::string> sets;    // --set overrides applied to every config
  std::string output;               // results directory; empty: the first config's log.dir
  std::string command_line;
  bool progress = true;
};

// One config's results over its seeds. The metric columns are the task's (result.json's "table":
// classification: top-1 error; action: clip and video top-1; segmentation: mIoU and pixel
// accuracy; re-ID: rank-1/5/10 and mAP).
struct ReproduceRow {
  std::string config;  // file stem
  std::string model;   // the task's model summary: "none", "cbam (residual)", "nonlocal dot_product x1", ...
  int64_t parameters = 0;
  std::vector<std::string> titles;          // metric columns
  std::vector<std::vector<double>> values;  // values[column][seed]
  std::vector<double> seconds_per_epoch;    // one per seed
  // The values of the column titled `title` (an error when there is none).
  const std::vector<double>& column(const std::string& title) const;
};

// Every config of the directory with each seed's overrides, loaded and validated: bad input is
// reported before the first run starts. The configs must share one task (data.dataset).
struct ReproducePlan {
  std::string file;
  std::vector<Config> runs;  // one per seed
};
std::vector<ReproducePlan> plan_reproduce(const ReproduceOptions& options);

// Runs (or reads) every run and writes results.md and results.csv; returns the rows.
std::vector<ReproduceRow> reproduce(const ReproduceOptions& options);

std::string results_markdown(const std::vector<ReproduceRow>& rows, const std::string& title);
std::string results_csv(const std::vector<ReproduceRow>& rows);
// Mean and sample standard deviation (0 for one value).
std::pair<double, double> mean_std(const std::vector<double>& values);

}  // namespace gaze
