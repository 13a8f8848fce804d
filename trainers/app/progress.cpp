#include "trainers/app/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace gaze {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

ProgressBar::ProgressBar(std::string label, int64_t total, int64_t items_per_step, bool enabled)
    : label_(std::move(label)), total_(total), items_per_step_(items_per_step), enabled_(enabled && total > 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

void ProgressBar::update(int64_t done, const std::string& note) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (first_done_ < 0) {
    first_done_ = done;  // rate from the first update on: a resumed epoch skips its early steps
    start_ = now;
  }
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t steps = done - first_done_;
  const double rate = elapsed > 0 ? steps * items_per_step_ / elapsed : 0.0;
  const double eta = steps > 0 ? elapsed / steps * (total_ - done) : 0.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * done / total_);
  fmt::print(stderr, "\r{} [{}{}] {}/{} {:.0f} img/s ETA {} {}\x1b[K", label_, std::string(filled, '#'),
             std::string(kWidth - filled, '.'), done, total_, rate, format_duration(eta), note);
  std::fflush(stderr);
}

void ProgressBar::clear() {
  if (!enabled_) return;
  fmt::print(stderr, "\r\x1b[K");
  std::fflush(stderr);
}

void ProgressBar::finish() { clear(); }

}  // namespace gaze
