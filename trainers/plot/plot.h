// The pictures of a run directory: curves.png (loss, learning rate, accuracy over steps) and
// confusion.png (the evaluation's confusion matrix). Both are PNGs written atomically, their text
// in the pictures' font (font.h), encoded by stb_image_write.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

struct Series {
  std::string name;
  std::vector<double> x, y;  // same length
};

struct Panel {
  std::string title, x_label;
  std::vector<Series> series;
  bool log_y = false;
};

// One PNG with the panels in a grid (two columns when there is more than one panel), each with
// its title, axes with tick labels, light grid lines, and a legend naming its series in distinct
// colours (placed in the corner with the fewest points under it). Points with a NaN or infinite
// coordinate (or y <= 0 on a log axis) are skipped and break the line; a series with no usable
// point is left out, and a panel with none says "no data". A series whose x and y differ in
// length, or an empty list of panels, is a gaze::Error.
void write_line_charts_png(const std::string& path, const std::vector<Panel>& panels);

// A confusion matrix (rows: true class, columns: predicted class) as a grid of cells with the
// count written in each, class names along both axes and `title` followed by the overall accuracy
// (the diagonal over the total). A cell's shade is the square root of its share of its row (the
// true class), so a few mistakes stand out beside a full diagonal. A matrix that is not square, a
// negative count or a wrong number of names is a gaze::Error.
void write_confusion_png(const std::string& path, const std::vector<std::vector<int64_t>>& matrix,
                         const std::vector<std::string>& class_names, const std::string& title);

}  // namespace gaze
