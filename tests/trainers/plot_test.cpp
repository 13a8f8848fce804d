// curves.png and confusion.png: files that decode, with the series' colours where the data is and
// a full confusion cell darker than an empty one.
#include "trainers/plot/plot.h"


#include <cmath>
#include <set>

#include "support/png_reader.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/plot/bitmap_font.h"
#include "trainers/plot/canvas.h"

using namespace gaze;
using gaze::test::Png;
using gaze::test::read_png;
using gaze::test::TempDir;

namespace {


double luminance(report::Rgb c) { return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b; }

const report::Rgb kBlue{31, 119, 180}, kOrange{255, 127, 14}, kGreen{44, 160, 44};  // series 0, 1, 2

std::vector<double> steps(int n) {
  std::vector<double> x;
  for (int i = 0; i < n; ++i) x.push_back(i * 10.0);
  return x;
}

}  // namespace

TEST_CASE("write_line_charts_png: a 2-column grid, each series drawn in its own colour, unusable series left out") {
  TempDir dir("plot");
  std::string path = dir.file("curves.png");
  std::vector<double> x = steps(50), train, val, lr, top1;
  for (int i = 0; i < 50; ++i) {
    train.push_back(2.3 * std::exp(-i / 12.0) + 0.1);
    val.push_back(i % 5 == 0 ? 2.2 * std::exp(-i / 14.0) + 0.2 : std::nan(""));  // evaluated every 5 steps
    lr.push_back(0.1 * std::pow(0.9, i));
    top1.push_back(i < 3 ? std::nan("") : 0.1 + 0.8 * (1.0 - std::exp(-i / 10.0)));
  }
  std::vector<Panel> panels = {
      {"loss", "step", {{"train", x, train}, {"val", x, val}, {"no points", {}, {}}}, false},
      {"learning rate", "step", {{"lr", x, lr}}, true},
      {"top-1 accuracy", "step", {{"val", x, top1}}, false},
      {"all NaN", "step", {{"nan", {1, 2}, {std::nan(""), std::nan("")}}}, false},
  };
  write_line_charts_png(path, panels);

  Png png = read_png(path);
  REQUIRE(png.width == 1280);  // two columns of 640
  REQUIRE(png.height == 880);  // two rows of 440
  // Panel 1 (top left): train in blue and val in orange; the empty third series' green nowhere.
  CHECK(png.count(kBlue, 0, 0, 640, 440) > 300);
  CHECK(png.count(kOrange, 0, 0, 640, 440) > 100);
  CHECK(png.count(kGreen, 0, 0, 640, 440) == 0);
  // Panels 2 and 3 have their single series in blue; the all-NaN panel has no series colour.
  CHECK(png.count(kBlue, 640, 0, 1280, 440) > 300);
  CHECK(png.count(kBlue, 0, 440, 640, 880) > 300);
  CHECK(png.count(kBlue, 640, 440, 1280, 880) == 0);
  // Titles and tick labels are drawn: dark ink at the top of every panel.
  const report::Rgb ink{30, 30, 30};
  CHECK(png.count(ink, 0, 0, 640, 40) > 50);
  CHECK(png.count(ink, 640, 440, 1280, 480) > 50);
}

TEST_CASE("write_line_charts_png: mismatched x and y, no panels, or an unwritable path are errors naming the problem") {
  TempDir dir("plot");
  std::string path = dir.file("curves.png");
  CHECK_THROWS_WITH_AS(write_line_charts_png(path, {{"loss", "step", {{"train", {1, 2, 3}, {1, 2}}}}}),
                       doctest::Contains("series 'train' of panel 'loss' has 3 x values and 2 y values"), Error);
  CHECK_THROWS_WITH_AS(write_line_charts_png(path, {}), doctest::Contains("no panels"), Error);
  std::string bad = dir.file("missing_dir/curves.png");
  CHECK_THROWS_WITH_AS(write_line_charts_png(bad, {{"loss", "step", {{"train", {1}, {1}}}}}),
                       doctest::Contains(bad.c_str()), Error);
  CHECK(dir.names().empty());
}

TEST_CASE("write_confusion_png: a cell holding a whole row is darker than an empty one, and counts are written") {
  TempDir dir("plot");
  std::string path = dir.file("confusion.png");
  // Row 1 is all on the diagonal: its cell is the darkest colour, and the cell left of it is empty.
  write_confusion_png(path, {{90, 10}, {0, 100}}, {"cat", "dog"}, "val");
  Png png = read_png(path);
  const report::Rgb darkest{8, 48, 107};
  int x0 = png.width, y0 = png.height, x1 = -1, y1 = -1;
  for (int y = 0; y < png.height; ++y)
    for (int x = 0; x < png.width; ++x)
      if (png.at(x, y) == darkest) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  REQUIRE(x1 > x0);
  int cell = x1 - x0 + 1;
  CHECK(cell == y1 - y0 + 1);  // one square cell
  report::Rgb full = png.at(x0 + 3, y0 + 3), empty = png.at(x0 - cell + 3, y0 + 3), most = png.at(x0 - cell + 3, y0 - cell + 3);
  CHECK(luminance(full) < luminance(most));
  CHECK(luminance(most) < luminance(empty));
  CHECK(empty == report::Rgb{247, 251, 255});
  // The count "100" is written in white over the dark cell.
  CHECK(png.count({255, 255, 255}, x0, y0, x1, y1) > 20);
}

TEST_CASE("write_confusion_png: ten classes with long names decode, and bad input is an error") {
  TempDir dir("plot");
  std::string path = dir.file("confusion.png");
  std::vector<std::string> names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  std::vector<std::vector<int64_t>> matrix(10, std::vector<int64_t>(10, 0));
  for (int r = 0; r < 10; ++r) {
    matrix[r][r] = 850 + 13 * r;
    matrix[r][(r + 3) % 10] = 1000 - matrix[r][r];
  }
  write_confusion_png(path, matrix, names, "Fashion-MNIST test, epoch 12");
  Png png = read_png(path);
  CHECK(png.width >= 640);
  CHECK(png.height >= 640);

  CHECK_THROWS_WITH_AS(write_confusion_png(path, {{1, 2}}, {"a"}, ""), doctest::Contains("row 0 has 2 columns"), Error);
  CHECK_THROWS_WITH_AS(write_confusion_png(path, {{1}}, {"a", "b"}, ""), doctest::Contains("2 class names for a 1×1 matrix"), Error);
  CHECK_THROWS_WITH_AS(write_confusion_png(path, {{-1}}, {"a"}, ""), doctest::Contains("cannot be negative"), Error);
  CHECK_THROWS_WITH_AS(write_confusion_png(path, {}, {}, ""), doctest::Contains("the matrix is empty"), Error);
}

TEST_CASE("bitmap font: every printable ASCII character has its own glyph; others draw as '?'") {
  std::set<std::array<uint8_t, report::kGlyphHeight>> seen;
  for (int c = 33; c <= 126; ++c) {
    const auto& rows = report::glyph(static_cast<char>(c));
    INFO("character '" << static_cast<char>(c) << "'");
    CHECK(std::any_of(rows.begin(), rows.end(), [](uint8_t row) { return row != 0; }));
    CHECK(seen.insert(rows).second);
  }
  CHECK(report::glyph('\x7f') == report::glyph('?'));
  CHECK(report::glyph('\xc3') == report::glyph('?'));
}

TEST_CASE("canvas: text_up turns text anticlockwise (an 'L' read bottom to top has its foot on the left)") {
  report::Canvas canvas(20, 20, {255, 255, 255});
  canvas.text_up(5, 15, "L", {0, 0, 0});
  // 'L' is a column of 7 (rows 0..6 at column 0) and a foot (row 6, columns 0..4). Turned, the
  // column lies along y = 14 from x = 5 to 11 and the foot runs up from (11, 14) to (11, 10).
  for (int x = 5; x <= 11; ++x) CHECK(canvas.pixel(x, 14) == report::Rgb{0, 0, 0});
  for (int y = 10; y <= 14; ++y) CHECK(canvas.pixel(11, y) == report::Rgb{0, 0, 0});
  CHECK(canvas.pixel(5, 10) == report::Rgb{255, 255, 255});
}
