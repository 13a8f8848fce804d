#include "trainers/app/console_log.h"

#include <cerrno>
#include <cstring>

#include "framework/error.h"

namespace gaze {

ConsoleLog::ConsoleLog(const std::string& path) {
  if (path.empty()) return;  // a data-parallel rank other than 0: silent
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) fail("cannot open {} for appending: {}", path, std::strerror(errno));
}

ConsoleLog::~ConsoleLog() {
  if (file_) std::fclose(file_);
}

void ConsoleLog::line(const std::string& text) {
  if (!file_) return;
  fmt::print("{}\n", text);
  std::fflush(stdout);
  fmt::print(file_, "{}\n", text);
  std::fflush(file_);
}

double RunPace::epoch_eta(int64_t step_in_epoch) const {
  return seconds_per_step * static_cast<double>(steps_per_epoch - step_in_epoch);
}

double RunPace::run_eta(int64_t epoch, int64_t step_in_epoch) const {
  const int64_t later_epochs = epochs - epoch - 1;
  double seconds = epoch_eta(step_in_epoch) + seconds_per_step * static_cast<double>(later_epochs * steps_per_epoch);
  // Evaluations still to come: after each epoch e (1-based) with e % eval_interval == 0 or e the last,
  // and the test set's at the end.
  int64_t evals = 1;
  for (int64_t e = epoch + 1; e <= epochs; ++e)
    if (e % eval_interval == 0 || e == epochs) ++evals;
  return seconds + seconds_per_eval * static_cast<double>(evals);
}

}  // namespace gaze
