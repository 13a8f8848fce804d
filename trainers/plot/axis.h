// Axis ranges and tick positions for the report charts: linear axes on 1-2-5 steps, logarithmic
// ones on powers of ten (with 2 and 5, or every digit, when the range is short).
#pragma once
#include <string>
#include <vector>

namespace gaze::report {

struct Axis {
  bool log = false;
  double low = 0, high = 1;          // the ends of the axis, in log10 units when `log`
  std::vector<double> ticks;         // data values, inside [low, high] after the transform
  std::vector<std::string> labels;   // one per tick

  // Where `value` sits along the axis: 0 at low, 1 at high.
  double fraction(double value) const;
};

// Covers [min, max] (finite, min <= max), widened to whole steps of about `target` ticks.
Axis linear_axis(double min, double max, int target = 5);
// Covers [min, max] with 0 < min <= max, on a log10 scale.
Axis log_axis(double min, double max);

// A tick label with as many decimals as the step needs ("0.25", "1500", "2e-05").
std::string format_tick(double value, double step);

}  // namespace gaze::report
