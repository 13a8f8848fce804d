#include "trainers/datasets/sample_pictures.h"

#include <algorithm>
#include <set>
#include <utility>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/plot/canvas.h"

namespace gaze {

namespace {

using report::Canvas;
using report::Rect;
using report::Rgb;

using report::kInk;
using report::kWhite;
const Rgb kFrame{200, 200, 200};
constexpr int kGap = 3, kMargin = 10, kLegendRow = 18, kSwatch = 12;
constexpr report::TextSize kLabel{14};

// Label colours: background black, then ten distinct hues (Tableau's palette); wraps past them.
const std::vector<Rgb>& palette() {
  static const std::vector<Rgb> colours{{0, 0, 0},       {31, 119, 180}, {255, 127, 14}, {44, 160, 44},
                                        {214, 39, 40},   {148, 103, 189}, {140, 86, 75},  {227, 119, 194},
                                        {127, 127, 127}, {188, 189, 34},  {23, 190, 207}};
  return colours;
}

Rgb label_colour(int64_t label, int64_t ignore) {
  if (label == ignore) return kWhite;
  const auto& p = palette();
  return p[static_cast<size_t>(label) % p.size()];
}

// Draws plane(s) of an example (channels c at `offset` apart) zoomed, stretched by [lo, hi].
void draw_image(Canvas& canvas, int x0, int y0, const float* data, int64_t channels, int64_t channel_stride, int64_t height,
                int64_t width, int zoom, float lo, float hi) {
  const float range = hi > lo ? hi - lo : 1.0f;
  auto byte = [&](float v) { return static_cast<uint8_t>(std::clamp((v - lo) / range, 0.0f, 1.0f) * 255.0f + 0.5f); };
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      const int64_t j = y * width + x;
      Rgb colour;
      if (channels == 3) colour = {byte(data[j]), byte(data[channel_stride + j]), byte(data[2 * channel_stride + j])};
      else colour.r = colour.g = colour.b = byte(data[j]);
      canvas.fill_rect({x0 + static_cast<int>(x) * zoom, y0 + static_cast<int>(y) * zoom, zoom, zoom}, colour);
    }
}

}  // namespace

void write_samples_png(const ExampleSource& source, const std::string& path, const std::vector<int64_t>& indices) {
  if (indices.empty()) fail("write_samples_png({}): no examples asked for; pass at least one index", path);
  for (int64_t i : indices)
    if (i < 0 || i >= source.size())
      fail("write_samples_png({}): example {} is outside the source's {} examples", path, i, source.size());
  const Shape input = source.input_shape(), target = source.target_shape();
  if (input.size() != 3 && input.size() != 4)
    fail("write_samples_png({}): inputs of shape {} cannot be drawn; expected [C, H, W] or [C, T, H, W]", path, shape_str(input));
  const int64_t channels = input[0], frames = input.size() == 4 ? input[1] : 1;
  const int64_t height = input[input.size() - 2], width = input[input.size() - 1];
  const bool label_map = input.size() == 3 && target.size() == 2;
  const int zoom = std::max<int>(1, static_cast<int>((96 + height - 1) / height));
  const int cell_w = static_cast<int>(width) * zoom, cell_h = static_cast<int>(height) * zoom;
  const int cells = static_cast<int>(frames) + (label_map ? 1 : 0);

  bool has_cameras = false;
  for (int64_t i : indices) has_cameras = has_cameras || source.camera(i) != 0;
  std::vector<std::string> headings;
  std::vector<std::vector<float>> inputs;
  std::vector<std::vector<int64_t>> targets;
  for (int64_t i : indices) {
    std::vector<float> x(static_cast<size_t>(numel(input)));
    std::vector<int64_t> y(static_cast<size_t>(std::max<int64_t>(1, numel(target))));
    source.example(i, nullptr, x.data(), y.data());
    std::string heading = std::to_string(i);
    if (!label_map) {
      const auto& names = source.class_names();
      heading = y[0] >= 0 && y[0] < static_cast<int64_t>(names.size()) ? names[static_cast<size_t>(y[0])] : std::to_string(y[0]);
      if (has_cameras) heading += " cam " + std::to_string(source.camera(i));
    }
    headings.push_back(heading);
    inputs.push_back(std::move(x));
    targets.push_back(std::move(y));
  }

  int heading_w = 0;
  for (const std::string& h : headings) heading_w = std::max(heading_w, Canvas::text_width(h, kLabel));
  std::vector<std::string> legend;
  if (label_map) legend = source.class_names();
  int legend_w = 0;
  for (const std::string& name : legend) legend_w = std::max(legend_w, Canvas::text_width(name, kLabel) + kSwatch + 6);
  if (label_map) legend_w = std::max(legend_w, Canvas::text_width("ignore", kLabel) + kSwatch + 6);

  const int rows = static_cast<int>(indices.size());
  const int left = kMargin + heading_w + kMargin;
  const int grid_w = cells * (cell_w + kGap);
  const int width_px = left + grid_w + (label_map ? kMargin + legend_w : 0) + kMargin;
  const int legend_h = label_map ? static_cast<int>(legend.size() + 1) * kLegendRow : 0;
  const int height_px = kMargin + std::max(rows * (cell_h + kGap), legend_h) + kMargin;
  Canvas canvas(width_px, height_px, kWhite);

  for (int r = 0; r < rows; ++r) {
    const std::vector<float>& x = inputs[static_cast<size_t>(r)];
    const int y0 = kMargin + r * (cell_h + kGap);
    canvas.text(kMargin, y0 + (cell_h - Canvas::text_height(kLabel)) / 2, headings[static_cast<size_t>(r)], kInk, kLabel);
    const int64_t plane = height * width;
    for (int64_t t = 0; t < frames; ++t) {
      const int x0 = left + static_cast<int>(t) * (cell_w + kGap);
      // Each frame stretched between its own 1st and 99th percentiles: a frame of heavy noise
      // would otherwise squeeze the rest of its row into a few greys.
      std::vector<float> sorted;
      for (int64_t c = 0; c < channels; ++c)
        sorted.insert(sorted.end(), x.begin() + (c * frames + t) * plane, x.begin() + (c * frames + t + 1) * plane);
      std::sort(sorted.begin(), sorted.end());
      const float lo = sorted[sorted.size() / 100], hi = sorted[sorted.size() - 1 - sorted.size() / 100];
      // [C, T, H, W]: channel c of frame t is at (c × T + t) × plane.
      draw_image(canvas, x0, y0, x.data() + t * plane, channels, frames * plane, height, width, zoom, lo, hi);
    }
    if (label_map) {
      const int x0 = left + cell_w + kGap;
      const std::vector<int64_t>& labels = targets[static_cast<size_t>(r)];
      for (int64_t yy = 0; yy < height; ++yy)
        for (int64_t xx = 0; xx < width; ++xx)
          canvas.fill_rect({x0 + static_cast<int>(xx) * zoom, y0 + static_cast<int>(yy) * zoom, zoom, zoom},
                           label_colour(labels[static_cast<size_t>(yy * width + xx)], 255));
      canvas.outline_rect({x0 - 1, y0 - 1, cell_w + 2, cell_h + 2}, kFrame);
    }
  }
  if (label_map) {
    const int x0 = left + grid_w + kMargin;
    for (size_t k = 0; k <= legend.size(); ++k) {
      const int y0 = kMargin + static_cast<int>(k) * kLegendRow;
      const bool ignore_row = k == legend.size();
      canvas.fill_rect({x0, y0, kSwatch, kSwatch}, ignore_row ? kWhite : label_colour(static_cast<int64_t>(k), 255));
      canvas.outline_rect({x0, y0, kSwatch, kSwatch}, kInk);
      canvas.text(x0 + kSwatch + 6, y0 + (kSwatch - Canvas::text_height(kLabel)) / 2, ignore_row ? "ignore" : legend[k], kInk, kLabel);
    }
  }
  write_file_atomically(path, canvas.png());
}

std::vector<int64_t> distinct_examples(const ExampleSource& source, int64_t count) {
  std::vector<int64_t> indices;
  std::set<std::pair<int64_t, int64_t>> seen;  // (group, camera)
  for (int64_t i = 0; i < source.size() && static_cast<int64_t>(indices.size()) < count; ++i)
    if (seen.insert({source.group(i), source.camera(i)}).second) indices.push_back(i);
  return indices;
}

void write_samples_png(const ExampleSource& source, const std::string& path, int64_t count) {
  if (count < 1) fail("write_samples_png({}): count = {}; ask for at least one example", path, count);
  write_samples_png(source, path, distinct_examples(source, count));
}

}  // namespace gaze
