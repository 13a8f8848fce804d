#include "trainers/plot/canvas.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>

#include "framework/error.h"

namespace gaze::report {

uint8_t to_byte(float value) {
  return std::isnan(value) ? 0 : static_cast<uint8_t>(std::lround(std::clamp(value, 0.0f, 1.0f) * 255.0f));
}

std::string shortened(const std::string& name, size_t max_length) {
  return name.size() <= max_length ? name : name.substr(0, max_length - 2) + "..";
}

namespace {
constexpr int kMaxSide = 16384;
}

Canvas::Canvas(int width, int height, Rgb background) : width_(width), height_(height), clip_{0, 0, width, height} {
  if (width <= 0 || height <= 0 || width > kMaxSide || height > kMaxSide)
    fail("report: a {}×{} picture is outside 1..{} pixels a side", width, height, kMaxSide);
  rgb_.resize(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < rgb_.size(); i += 3) {
    rgb_[i] = background.r;
    rgb_[i + 1] = background.g;
    rgb_[i + 2] = background.b;
  }
}

Rgb Canvas::pixel(int x, int y) const {
  if (x < 0 || y < 0 || x >= width_ || y >= height_) fail("Canvas::pixel: ({}, {}) is outside {}×{}", x, y, width_, height_);
  size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
  return {rgb_[i], rgb_[i + 1], rgb_[i + 2]};
}

void Canvas::set(int x, int y, Rgb colour) {
  if (x < 0 || y < 0 || x >= width_ || y >= height_ || !clip_.contains(x, y)) return;
  size_t i = (static_cast<size_t>(y) * width_ + x) * 3;
  rgb_[i] = colour.r;
  rgb_[i + 1] = colour.g;
  rgb_[i + 2] = colour.b;
}

void Canvas::fill_rect(const Rect& rect, Rgb colour) {
  int x0 = std::max({rect.x, clip_.x, 0}), x1 = std::min({rect.x + rect.width, clip_.x + clip_.width, width_});
  int y0 = std::max({rect.y, clip_.y, 0}), y1 = std::min({rect.y + rect.height, clip_.y + clip_.height, height_});
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) set(x, y, colour);
}

void Canvas::outline_rect(const Rect& rect, Rgb colour) {
  fill_rect({rect.x, rect.y, rect.width, 1}, colour);
  fill_rect({rect.x, rect.y + rect.height - 1, rect.width, 1}, colour);
  fill_rect({rect.x, rect.y, 1, rect.height}, colour);
  fill_rect({rect.x + rect.width - 1, rect.y, 1, rect.height}, colour);
}

void Canvas::line(double x0, double y0, double x1, double y1, Rgb colour, int thickness) {
  // Points far off the canvas (a caller's bad scale) would only cost time: drop such lines.
  constexpr double kFar = 4.0 * kMaxSide;
  for (double v : {x0, y0, x1, y1})
    if (!std::isfinite(v) || std::abs(v) > kFar) return;
  // Stamp a thickness × thickness square at every step of the longer axis (Bresenham-like).
  int steps = static_cast<int>(std::ceil(std::max(std::abs(x1 - x0), std::abs(y1 - y0))));
  int half = (thickness - 1) / 2;
  for (int i = 0; i <= steps; ++i) {
    double t = steps == 0 ? 0.0 : static_cast<double>(i) / steps;
    int x = static_cast<int>(std::lround(x0 + t * (x1 - x0))) - half;
    int y = static_cast<int>(std::lround(y0 + t * (y1 - y0))) - half;
    for (int dy = 0; dy < thickness; ++dy)
      for (int dx = 0; dx < thickness; ++dx) set(x + dx, y + dy, colour);
  }
}

void Canvas::blend(int x, int y, Rgb colour, uint8_t alpha) {
  if (alpha == 0 || x < 0 || y < 0 || x >= width_ || y >= height_ || !clip_.contains(x, y)) return;
  uint8_t* p = &rgb_[(static_cast<size_t>(y) * width_ + x) * 3];
  // Integer arithmetic: the same pixels on every machine.
  auto mix = [alpha](uint8_t under, uint8_t over) { return static_cast<uint8_t>((under * (255 - alpha) + over * alpha + 127) / 255); };
  p[0] = mix(p[0], colour.r);
  p[1] = mix(p[1], colour.g);
  p[2] = mix(p[2], colour.b);
}

int Canvas::text_width(std::string_view text, TextSize size) { return Font::standard().width(text, size); }

void Canvas::text(int x, int y, std::string_view text, Rgb colour, TextSize size) {
  const TextMask mask = Font::standard().render(text, size);
  for (int my = 0; my < mask.height; ++my)
    for (int mx = 0; mx < mask.width; ++mx) blend(x + mask.left + mx, y + my, colour, mask.at(mx, my));
}

void Canvas::text_up(int x, int y, std::string_view text, Rgb colour, TextSize size) {
  // Turned anticlockwise: the line's row r becomes column x + r, its column c the row y - 1 - c.
  const TextMask mask = Font::standard().render(text, size);
  for (int my = 0; my < mask.height; ++my)
    for (int mx = 0; mx < mask.width; ++mx) blend(x + my, y - 1 - (mask.left + mx), colour, mask.at(mx, my));
}

std::string Canvas::png() const {
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, width_, height_, 3, rgb_.data(), width_ * 3))
    fail("report: stb_image_write could not encode a {}×{} PNG", width_, height_);
  return bytes;
}

}  // namespace gaze::report
