// Ctrl-C (SIGINT) and SIGTERM (what cluster schedulers send before SIGKILL) during training: the
// first one lets the current step finish; the trainer then writes a checkpoint, says how to
// continue, and stops by throwing Interrupted (the command line exits 128 + the signal: 130 or
// 143). A second one ends the process at once, as if no handler were installed.
//
// Why not stop in the handler: a handler may only set a flag. Everything a resumable stop needs
// (a complete checkpoint, the metrics log cut at the right line) is ordinary code that runs between
// steps, where the loop's state is consistent.
#pragma once
#include <csignal>
#include <stdexcept>
#include <string>

namespace gaze {

// While one is alive, SIGINT and SIGTERM are caught as above; the previous handlers come back
// when it goes (so tests and embedding programs keep theirs).
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// The signal caught since the guard was installed (SIGINT or SIGTERM), or 0.
int interrupt_signal();

// Thrown by the trainer after it saved where the run stands. Not a gaze::Error: nothing failed.
class Interrupted : public std::runtime_error {
 public:
  Interrupted(int signal, const std::string& message) : std::runtime_error(message), signal_(signal) {}
  int signal() const { return signal_; }
  int exit_status() const { return 128 + signal_; }

 private:
  int signal_;
};

}  // namespace gaze
