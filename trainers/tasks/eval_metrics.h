// eval.metrics for a task: the config's list, or the task's defaults when it is empty; a name
// another task owns is an error naming the ones this task knows.
#pragma once
#include <string>
#include <vector>

#include "trainers/lib/config/config.h"

namespace gaze {

std::vector<std::string> task_eval_metrics(const Config& config, const std::string& task, const std::vector<std::string>& defaults,
                                           const std::vector<std::string>& known);

bool listed(const std::vector<std::string>& names, const std::string& name);

}  // namespace gaze
