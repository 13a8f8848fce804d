// The console of a training run: a progress bar per epoch (on stderr, redrawn in place, only when
// stderr is a terminal, so logs and pipes stay clean) and plain log lines on stdout.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace gaze {

class ProgressBar {
 public:
  // enabled: draw at all (false when stderr is not a terminal, or when the user asked for quiet).
  ProgressBar(std::string label, int64_t total, int64_t items_per_step, bool enabled);
  // `done` steps finished out of total; `note` is appended (e.g. the running loss).
  void update(int64_t done, const std::string& note);
  // Clears the bar's line so a log line can be printed over it.
  void clear();
  void finish();

 private:
  std::string label_;
  int64_t total_, items_per_step_, first_done_ = -1;
  bool enabled_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

bool stderr_is_terminal();
std::string format_duration(double seconds);  // "1:02:03", "4:05"

}  // namespace gaze
