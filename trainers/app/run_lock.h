// One process at a time writes a run directory. Two processes appending to one metrics.jsonl tear
// its lines and mix two runs' checkpoints, so the trainer takes an advisory lock (flock on
// <run>/.lock) before it writes anything and holds it until it returns; a second process is
// refused with a message naming the holder (its pid, host, start time and command). The kernel
// releases the lock when its holder dies, SIGKILL included, so a killed run never leaves a stale
// lock behind: `--resume auto` just works.
#pragma once
#include <string>

namespace gaze {

class RunLock {
 public:
  RunLock() = default;
  ~RunLock();
  RunLock(RunLock&& other) noexcept;
  RunLock& operator=(RunLock&& other) noexcept;
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  // True when lock_run_directory made the directory itself (it is new: nothing of another run).
  bool created() const { return created_; }
  const std::string& dir() const { return dir_; }

 private:
  friend RunLock lock_run_directory(const std::string& dir, const std::string& command_line);
  int fd_ = -1;
  std::string dir_;
  bool created_ = false;
};

// Creates `dir` (and its parents) if needed and locks it; the lock file records this process
// (`command_line` included) for the message another process gets. A directory locked by a live
// process, or one that cannot be created, is a gaze::Error naming it.
RunLock lock_run_directory(const std::string& dir, const std::string& command_line);

}  // namespace gaze
