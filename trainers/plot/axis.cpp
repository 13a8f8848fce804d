#include "trainers/plot/axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gaze::report {

namespace {

// The smallest of 1, 2, 5 × 10^k that is at least `raw`.
double nice_step(double raw) {
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  double fraction = raw / power;
  double nice = fraction <= 1.0 ? 1.0 : fraction <= 2.0 ? 2.0 : fraction <= 5.0 ? 5.0 : 10.0;
  return nice * power;
}

}  // namespace

double Axis::fraction(double value) const {
  double v = log ? std::log10(value) : value;
  return (v - low) / (high - low);
}

std::string format_tick(double value, double step) {
  if (value == 0.0) return "0";
  if (std::abs(value) >= 1e6 || step < 1e-4) return fmt::format("{:.3g}", value);
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", value, decimals);
}

Axis linear_axis(double min, double max, int target) {
  if (max - min <= std::abs(max) * 1e-12) {  // one value: give it some room
    double pad = min == 0.0 ? 1.0 : std::abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  Axis axis;
  if (!std::isfinite(max - min)) {  // beyond double's range: just the two ends
    axis.low = min;
    axis.high = max;
    axis.ticks = {min, max};
    axis.labels = {fmt::format("{:.3g}", min), fmt::format("{:.3g}", max)};
    return axis;
  }
  double step = nice_step((max - min) / std::max(target, 1));
  axis.low = std::floor(min / step) * step;
  axis.high = std::ceil(max / step) * step;
  int count = static_cast<int>(std::lround((axis.high - axis.low) / step));
  for (int i = 0; i <= count; ++i) {
    double tick = axis.low + i * step;
    if (std::abs(tick) < step * 1e-9) tick = 0.0;  // no "-0.0" from rounding
    axis.ticks.push_back(tick);
    axis.labels.push_back(format_tick(tick, step));
  }
  return axis;
}

Axis log_axis(double min, double max) {
  Axis axis;
  axis.log = true;
  double lo = std::log10(min), hi = std::log10(max);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  double pad = 0.05 * (hi - lo);
  lo -= pad;
  hi += pad;
  double span = hi - lo;
  std::vector<int> multipliers = span > 2.5 ? std::vector<int>{1} : span > 1.0 ? std::vector<int>{1, 2, 5}
                                                                           : std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8, 9};
  int decade_stride = span > 8.0 ? static_cast<int>(std::ceil(span / 6.0)) : 1;
  for (int e = static_cast<int>(std::floor(lo)); e <= static_cast<int>(std::ceil(hi)); ++e) {
    if (e % decade_stride != 0) continue;
    for (int m : multipliers) {
      double value = m * std::pow(10.0, e);
      double position = std::log10(value);
      if (position >= lo - 1e-12 && position <= hi + 1e-12) {
        axis.ticks.push_back(value);
        axis.labels.push_back(fmt::format("{:g}", value));
      }
    }
  }
  if (axis.ticks.size() < 2) {
    // A range well inside one digit (0.31 to 0.33): linear ticks, still drawn on the log scale.
    Axis linear = linear_axis(min, max, 4);
    axis.ticks.clear();
    axis.labels.clear();
    for (size_t i = 0; i < linear.ticks.size(); ++i)
      if (linear.ticks[i] > 0) {
        axis.ticks.push_back(linear.ticks[i]);
        axis.labels.push_back(linear.labels[i]);
      }
    lo = std::min(lo, std::log10(axis.ticks.front()));
    hi = std::max(hi, std::log10(axis.ticks.back()));
  }
  axis.low = lo;
  axis.high = hi;
  return axis;
}

}  // namespace gaze::report
