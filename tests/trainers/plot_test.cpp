// curves.png and confusion.png: files that decode, with the series' colours where the data is and
// a full confusion cell darker than an empty one.
#include "trainers/plot/plot.h"


#include <algorithm>
#include <cmath>
#include <set>

#include "support/png_reader.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/plot/bitmap_font.h"
#include "trainers/plot/canvas.h"
#include "trainers/plot/font.h"

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
  // Titles are drawn: dark, anti-aliased text in the band above every panel's frame.
  for (const auto& [x0, y0] : {std::pair{0, 0}, std::pair{640, 0}, std::pair{0, 440}, std::pair{640, 440}}) {
    int dark = 0;
    std::set<int> greys;
    for (int y = y0; y < y0 + 40; ++y)
      for (int x = x0; x < x0 + 640; ++x) {
        const double l = luminance(png.at(x, y));
        dark += l < 100;
        if (l > 30 && l < 250) greys.insert(static_cast<int>(l));
      }
    CHECK(dark > 30);
    CHECK(greys.size() > 20);
  }
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
  int light = 0;
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) light += luminance(png.at(x, y)) > 200;
  CHECK(light > 20);
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

TEST_CASE("canvas: text_up is text turned 90° anticlockwise, pixel for pixel") {
  const report::TextSize size{18};
  const int w = report::Canvas::text_width("Ly", size) + 6, h = size.px;
  report::Canvas across(w, h, {255, 255, 255}), up(h, w, {255, 255, 255});
  across.text(3, 0, "Ly", {0, 0, 0}, size);
  up.text_up(0, w - 3, "Ly", {0, 0, 0}, size);
  int ink = 0;
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      CHECK(up.pixel(r, w - 1 - c) == across.pixel(c, r));
      ink += across.pixel(c, r).r < 128;
    }
  CHECK(ink > 20);
}

TEST_CASE("canvas: text is anti-aliased DejaVu Sans, inside its line box, the same every time") {
  REQUIRE_MESSAGE(!report::Font::standard().is_fallback(), report::Font::standard().warning());
  const report::TextSize size{18};
  const std::string label = "Accuracy 97% (top-1)";
  const int x = 10, y = 10, width = report::Canvas::text_width(label, size);
  report::Canvas canvas(width + 40, 40, {255, 255, 255});
  canvas.text(x, y, label, {0, 0, 0}, size);
  int dark = 0, outside = 0;
  std::set<int> greys;
  for (int py = 0; py < canvas.height(); ++py)
    for (int px = 0; px < canvas.width(); ++px) {
      const int v = canvas.pixel(px, py).r;
      if (v == 255) continue;
      const bool inside = px >= x - 1 && px <= x + width && py >= y && py < y + size.px;
      outside += !inside;
      dark += v < 64;
      if (v > 0) greys.insert(v);
    }
  CHECK(outside == 0);
  CHECK(dark > 100);            // the strokes
  CHECK(greys.size() > 30);     // and their anti-aliased edges
  CHECK(width > 150);           // 20 characters of a proportional font at 18 pixels
  CHECK(width < 230);
  report::Canvas again(width + 40, 40, {255, 255, 255});
  again.text(x, y, label, {0, 0, 0}, size);
  CHECK(again.png() == canvas.png());
}

TEST_CASE("font: kerning and proportional widths; twice the size is twice as wide") {
  const report::Font& font = report::Font::standard();
  REQUIRE(!font.is_fallback());
  const report::TextSize size{40};
  CHECK(font.width("AV", size) < font.width("A", size) + font.width("V", size));  // DejaVu kerns A-V
  CHECK(font.width("iiii", size) < font.width("WWWW", size));
  const int one = font.width("learning rate", {18}), two = font.width("learning rate", {36});
  CHECK(std::abs(two - 2 * one) <= 2);
  // Text blends: grey text on a colour keeps the colour where the glyph does not reach.
  report::Canvas canvas(60, 30, {200, 0, 0});
  canvas.text(2, 2, "o", {0, 0, 255}, {24});
  CHECK(canvas.pixel(0, 0) == report::Rgb{200, 0, 0});
  bool mixed = false;
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 60; ++x) mixed |= canvas.pixel(x, y).r > 0 && canvas.pixel(x, y).r < 200 && canvas.pixel(x, y).b > 0;
  CHECK(mixed);
}

TEST_CASE("Font::load: a missing or broken font file falls back to the bitmap font with a warning that says how to fix it") {
  TempDir dir("font");
  const report::Font missing = report::Font::load(dir.file("none.ttf"));
  CHECK(missing.is_fallback());
  CHECK(missing.warning().find(dir.file("none.ttf")) != std::string::npos);
  CHECK(missing.warning().find("apt-get install fonts-dejavu-core") != std::string::npos);
  CHECK(missing.warning().find("GAZE_FONT") != std::string::npos);
  // The bitmap font magnified to the line's height: 16 pixels are its 8 rows twice.
  CHECK(missing.width("ab", {16}) == (2 * report::kGlyphAdvance - 1) * 2);
  const report::TextMask mask = missing.render("ab", {16});
  CHECK(mask.height == 16);
  CHECK(std::all_of(mask.coverage.begin(), mask.coverage.end(), [](uint8_t v) { return v == 0 || v == 255; }));
  CHECK(std::count(mask.coverage.begin(), mask.coverage.end(), 255) > 20);

  const report::Font broken = report::Font::load(dir.write("broken.ttf", "not a font at all"));
  CHECK(broken.is_fallback());
  CHECK(broken.warning().find("is not a TrueType font") != std::string::npos);
  CHECK_FALSE(report::Font::load(report::kDefaultFontPath).is_fallback());
  CHECK(report::Font::load(report::kDefaultFontPath).warning().empty());
}

TEST_CASE("decode_utf8: code points, and U+FFFD for each byte that is not UTF-8") {
  CHECK(report::decode_utf8("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80") == std::vector<char32_t>{U'a', 0xE9, 0x20AC, 0x1F600});
  CHECK(report::decode_utf8("\xff") == std::vector<char32_t>{0xFFFD});
  CHECK(report::decode_utf8("\xc0\x80") == std::vector<char32_t>{0xFFFD, 0xFFFD});  // an overlong NUL
  CHECK(report::decode_utf8("\xe2\x82") == std::vector<char32_t>{0xFFFD, 0xFFFD});  // cut short
  CHECK(report::decode_utf8("").empty());
}
