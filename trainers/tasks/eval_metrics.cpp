#include "trainers/tasks/eval_metrics.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/error.h"

namespace gaze {

bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> task_eval_metrics(const Config& config, const std::string& task, const std::vector<std::string>& defaults,
                                           const std::vector<std::string>& known) {
  std::vector<std::string> metrics = config.texts("eval.metrics");
  if (metrics.empty()) return defaults;
  for (const auto& m : metrics)
    if (!listed(known, m))
      fail("{}: eval.metrics lists '{}', which the {} task does not compute; it knows: {}", config.where("eval.metrics"), m, task,
           fmt::join(known, ", "));
  return metrics;
}

}  // namespace gaze
