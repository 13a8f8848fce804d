// The console of a run, kept: every line the trainer prints on stdout is also appended to the run
// directory's train.log, so a run started under nohup, in CI or through a pipe leaves its log
// beside its metrics. A resumed run appends to the same file.
#pragma once
#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace gaze {

class ConsoleLog {
 public:
  explicit ConsoleLog(const std::string& path);  // opened for appending; an error names the path; "": prints and keeps nothing
  ~ConsoleLog();
  ConsoleLog(const ConsoleLog&) = delete;
  ConsoleLog& operator=(const ConsoleLog&) = delete;

  void line(const std::string& text);  // printed and kept, each flushed at once
  template <typename... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    line(fmt::format(format, std::forward<Args>(args)...));
  }

 private:
  std::FILE* file_ = nullptr;
};

// How far a run has come and how long the rest will take, from the recent step time: the ETA of
// the epoch is its remaining steps at that pace; the run's adds the later epochs' steps and, once
// a validation has been timed, that time for each evaluation still to come (the final test one too).
struct RunPace {
  int64_t steps_per_epoch = 0, epochs = 0, eval_interval = 1;
  double seconds_per_step = 0;  // training + data wait, averaged over the last log interval
  double seconds_per_eval = 0;  // the last validation's time, 0 before the first
  double epoch_eta(int64_t step_in_epoch) const;             // steps of the epoch taken
  double run_eta(int64_t epoch, int64_t step_in_epoch) const;  // epoch 0-based
};

}  // namespace gaze
