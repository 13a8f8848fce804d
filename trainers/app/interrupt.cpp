#include "trainers/app/interrupt.h"

#include <unistd.h>

namespace gaze {

namespace {

volatile std::sig_atomic_t caught_signal = 0;

void restore_default(int signal) {
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  sigaction(signal, &action, nullptr);
}

// Async-signal-safe only: set the flag, write(2), sigaction.
extern "C" void on_interrupt(int signal) {
  caught_signal = signal;
  // The next SIGINT or SIGTERM finds the default action: the process ends at once.
  restore_default(SIGINT);
  restore_default(SIGTERM);
  static const char note[] = "\ngaze: stopping after this step: writing a checkpoint (interrupt again to stop at once, saving nothing)\n";
  [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, note, sizeof(note) - 1);
}

}  // namespace

InterruptGuard::InterruptGuard() {
  caught_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // a read or write the signal lands in carries on
  sigaction(SIGINT, &action, &old_int_);
  sigaction(SIGTERM, &action, &old_term_);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &old_int_, nullptr);
  sigaction(SIGTERM, &old_term_, nullptr);
}

int interrupt_signal() { return caught_signal; }

}  // namespace gaze
