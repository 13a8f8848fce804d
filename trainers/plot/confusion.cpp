// write_confusion_png: the confusion matrix of an evaluation as confusion.png.
#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/plot/canvas.h"
#include "trainers/plot/plot.h"

namespace gaze {

namespace {

using report::Canvas;
using report::Rect;
using report::Rgb;

using report::kInk;
using report::kWhite;
using report::shortened;
const Rgb kZero{185, 185, 185}, kCellBorder{215, 215, 215};
// The ends of matplotlib's "Blues": near-white for no samples, dark blue for all of them.
const Rgb kLight{247, 251, 255}, kDark{8, 48, 107};

Rgb shade(double t) {
  auto mix = [t](uint8_t a, uint8_t b) { return static_cast<uint8_t>(std::lround(a + (b - a) * t)); };
  return {mix(kLight.r, kDark.r), mix(kLight.g, kDark.g), mix(kLight.b, kDark.b)};
}

using report::TextSize;
constexpr TextSize kHeading{20}, kText{17}, kSmall{12};

// The largest text size (kText, then smaller) at which `text` fits in a width × height box; 0
// pixels when none does.
TextSize fitting_size(const std::string& text, int width, int height) {
  for (TextSize size : {kText, TextSize{14}, kSmall, TextSize{9}})
    if (Canvas::text_width(text, size) + 4 <= width && Canvas::text_height(size) <= height) return size;
  return TextSize{0};
}

}  // namespace

void write_confusion_png(const std::string& path, const std::vector<std::vector<int64_t>>& matrix,
                         const std::vector<std::string>& class_names, const std::string& title) {
  const size_t n = matrix.size();
  if (n == 0) fail("write_confusion_png({}): the matrix is empty; it needs one row per class", path);
  if (class_names.size() != n)
    fail("write_confusion_png({}): {} class names for a {}×{} matrix; give one name per class", path, class_names.size(), n, n);
  int64_t total = 0, correct = 0;
  std::vector<int64_t> row_totals(n, 0);
  for (size_t r = 0; r < n; ++r) {
    if (matrix[r].size() != n)
      fail("write_confusion_png({}): row {} has {} columns; the matrix must be {}×{} (true × predicted)", path, r,
           matrix[r].size(), n, n);
    for (size_t c = 0; c < n; ++c) {
      if (matrix[r][c] < 0) fail("write_confusion_png({}): count [{}][{}] is {}; counts cannot be negative", path, r, c, matrix[r][c]);
      row_totals[r] += matrix[r][c];
    }
    total += row_totals[r];
    correct += matrix[r][r];
  }

  // Layout: names left of the rows and (turned) under the columns, axis titles outside them.
  const int cell = std::clamp(640 / static_cast<int>(std::min<size_t>(n, 640)), 4, 64);
  const TextSize name_size = cell >= Canvas::text_height(kText) + 2 ? kText : kSmall;
  const bool show_names = cell >= Canvas::text_height(name_size) - 2;
  int name_width = 0;
  if (show_names)
    for (const std::string& name : class_names) name_width = std::max(name_width, Canvas::text_width(shortened(name), name_size));
  const int text_height = Canvas::text_height(kHeading);
  std::string heading = fmt::format("{}{}accuracy {:.2f}% ({} / {})", title, title.empty() ? "" : " - ",
                                    total > 0 ? 100.0 * correct / total : 0.0, correct, total);
  if (total == 0) heading = fmt::format("{}{}no samples", title, title.empty() ? "" : " - ");

  const int left = 16 + text_height + 12 + name_width + 10, top = 16 + text_height + 18;
  const int grid = cell * static_cast<int>(n);
  const int width = std::max(left + grid + 24, Canvas::text_width(heading, kHeading) + 32);
  const int height = top + grid + 10 + name_width + 12 + text_height + 16;
  Canvas canvas(width, height, kWhite);
  canvas.text((width - Canvas::text_width(heading, kHeading)) / 2, 16, heading, kInk, kHeading);

  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < n; ++c) {
      double share = row_totals[r] > 0 ? static_cast<double>(matrix[r][c]) / row_totals[r] : 0.0;
      double t = std::sqrt(share);
      Rect box{left + static_cast<int>(c) * cell, top + static_cast<int>(r) * cell, cell, cell};
      canvas.fill_rect(box, shade(t));
      if (cell >= 12) canvas.outline_rect(box, t > 0.05 ? shade(t) : kCellBorder);
      std::string count = std::to_string(matrix[r][c]);
      if (const TextSize size = fitting_size(count, cell, cell); size.px > 0)
        canvas.text(box.x + (cell - Canvas::text_width(count, size)) / 2, box.y + (cell - Canvas::text_height(size)) / 2, count,
                    t > 0.6 ? kWhite : matrix[r][c] == 0 ? kZero : kInk, size);  // zeros recede
    }
  canvas.outline_rect({left - 1, top - 1, grid + 2, grid + 2}, kInk);

  if (show_names)
    for (size_t i = 0; i < n; ++i) {
      std::string name = shortened(class_names[i]);
      int middle = static_cast<int>(i) * cell + cell / 2;
      canvas.text(left - 10 - Canvas::text_width(name, name_size), top + middle - Canvas::text_height(name_size) / 2, name,
                  kInk, name_size);
      canvas.text_up(left + middle - Canvas::text_height(name_size) / 2, top + grid + 10 + Canvas::text_width(name, name_size), name,
                     kInk, name_size);
    }
  const std::string predicted = "predicted", truth = "true";
  canvas.text(left + (grid - Canvas::text_width(predicted, kHeading)) / 2, top + grid + 10 + name_width + 12, predicted, kInk, kHeading);
  canvas.text_up(16, top + (grid + Canvas::text_width(truth, kHeading)) / 2, truth, kInk, kHeading);
  write_file_atomically(path, canvas.png());
}

}  // namespace gaze
