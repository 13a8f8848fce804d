// An RGB raster with the few drawing operations the report charts need (rectangles, thick lines,
// anti-aliased text in two orientations: font.h) and PNG encoding. Drawing outside the canvas, or
// outside the clip rectangle when one is set, is silently dropped, so callers need not clip their
// geometry.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "trainers/plot/font.h"

namespace gaze::report {

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

// The page and the text colour every picture shares.
inline constexpr Rgb kWhite{255, 255, 255}, kInk{30, 30, 30};

// A value in [0, 1] as an 8-bit channel (clamped; NaN is 0).
uint8_t to_byte(float value);

// `name` cut to at most `max_length` characters, ".." marking the cut: class names in legends.
std::string shortened(const std::string& name, size_t max_length = 16);

struct Rect {
  int x = 0, y = 0, width = 0, height = 0;
  bool contains(double px, double py) const { return px >= x && px < x + width && py >= y && py < y + height; }
};

class Canvas {
 public:
  // Sizes up to 16384 × 16384; larger is a gaze::Error (a chart never needs it, garbage might ask).
  Canvas(int width, int height, Rgb background);

  int width() const { return width_; }
  int height() const { return height_; }
  Rgb pixel(int x, int y) const;

  void set_clip(const Rect& clip) { clip_ = clip; }
  void reset_clip() { clip_ = Rect{0, 0, width_, height_}; }

  void set(int x, int y, Rgb colour);
  void fill_rect(const Rect& rect, Rgb colour);
  void outline_rect(const Rect& rect, Rgb colour);
  // A line of `thickness` pixels between two points (sub-pixel coordinates are rounded).
  void line(double x0, double y0, double x1, double y1, Rgb colour, int thickness = 1);

  // `colour` laid over the pixel with opacity alpha / 255 (rounded to the nearest level).
  void blend(int x, int y, Rgb colour, uint8_t alpha);

  // One line of UTF-8 text in the pictures' font (Font::standard()), anti-aliased: its line box,
  // text_width × text_height, has its top-left corner at (x, y).
  void text(int x, int y, std::string_view text, Rgb colour, TextSize size);
  // The same text turned 90° anticlockwise, read bottom to top, its line box's lower-left corner
  // at (x, y): for vertical axis labels.
  void text_up(int x, int y, std::string_view text, Rgb colour, TextSize size);
  static int text_width(std::string_view text, TextSize size);
  static int text_height(TextSize size) { return size.px; }

  std::string png() const;  // the encoded PNG file

 private:
  int width_, height_;
  Rect clip_;
  std::vector<uint8_t> rgb_;
};

}  // namespace gaze::report
