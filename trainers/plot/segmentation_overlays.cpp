// write_segmentation_overlays_png: images, ground truth and predictions side by side.
#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/plot/canvas.h"
#include "trainers/plot/pictures.h"

namespace gaze {

namespace {

using report::Canvas;
using report::Rect;
using report::Rgb;

using report::kInk;
using report::kWhite;
using report::shortened;
using report::to_byte;
constexpr int kOverlayMargin = 16, kOverlayGap = 8, kSwatch = 14, kLegendLine = 20;
constexpr report::TextSize kOverlayText{18}, kOverlaySmall{13};

Rgb half_and_half(Rgb a, Rgb b) {
  return {static_cast<uint8_t>((a.r + b.r + 1) / 2), static_cast<uint8_t>((a.g + b.g + 1) / 2), static_cast<uint8_t>((a.b + b.b + 1) / 2)};
}

}  // namespace

Rgb segmentation_colour(int64_t class_index) {
  // VOC's bit-interleaved colour map: the class index's bits, three at a time, go to the high bits
  // of red, green and blue.
  int r = 0, g = 0, b = 0;
  auto c = static_cast<uint64_t>(class_index) & 0xff;
  for (int shift = 7; c != 0; --shift, c >>= 3) {
    r |= static_cast<int>(c & 1) << shift;
    g |= static_cast<int>((c >> 1) & 1) << shift;
    b |= static_cast<int>((c >> 2) & 1) << shift;
  }
  return {static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)};
}

void write_segmentation_overlays_png(const std::string& path, const std::vector<std::vector<float>>& images,
                                     const std::vector<std::vector<int64_t>>& targets,
                                     const std::vector<std::vector<int64_t>>& predictions, int64_t height, int64_t width,
                                     const std::vector<std::string>& class_names, int64_t ignore_index) {
  const char* what = "write_segmentation_overlays_png";
  if (images.empty()) fail("{}({}): no examples; give at least one image with its target and prediction", what, path);
  if (targets.size() != images.size() || predictions.size() != images.size())
    fail("{}({}): {} images, {} targets and {} predictions; give one of each per example", what, path, images.size(), targets.size(),
         predictions.size());
  if (height < 1 || width < 1 || height > 4096 || width > 4096)
    fail("{}({}): a {}×{} image; height and width must be in 1..4096", what, path, height, width);
  if (class_names.empty()) fail("{}({}): no class names; give one per class", what, path);
  const auto classes = static_cast<int64_t>(class_names.size()), pixels = height * width;
  for (size_t e = 0; e < images.size(); ++e) {
    if (images[e].size() != static_cast<size_t>(pixels) && images[e].size() != static_cast<size_t>(3 * pixels))
      fail("{}({}): image {} has {} values; a {}×{} image needs {} (grey) or {} (RGB, channels last)", what, path, e, images[e].size(),
           height, width, pixels, 3 * pixels);
    if (targets[e].size() != static_cast<size_t>(pixels) || predictions[e].size() != static_cast<size_t>(pixels))
      fail("{}({}): example {} has {} target and {} predicted labels; a {}×{} image needs {} of each", what, path, e, targets[e].size(),
           predictions[e].size(), height, width, pixels);
    for (int64_t i = 0; i < pixels; ++i) {
      const int64_t t = targets[e][i], p = predictions[e][i];
      if (t != ignore_index && (t < 0 || t >= classes))
        fail("{}({}): target label {} (example {}, pixel {}) is outside [0, {}) and is not the ignore_index {}", what, path, t, e, i,
             classes, ignore_index);
      if (p < 0 || p >= classes)
        fail("{}({}): predicted label {} (example {}, pixel {}) is outside [0, {})", what, path, p, e, i, classes);
    }
  }

  // Layout: column titles, then one row of three panels per example; the legend to the right.
  const int scale = std::max(1, 128 / static_cast<int>(std::max(height, width)));
  const int panel_w = static_cast<int>(width) * scale, panel_h = static_cast<int>(height) * scale;
  const int rows = static_cast<int>(images.size());
  const int top = kOverlayMargin + Canvas::text_height(kOverlayText) + kOverlayGap;
  const int legend_x = kOverlayMargin + 3 * panel_w + 2 * kOverlayGap + 3 * kOverlayGap;
  std::vector<std::string> legend;
  for (const std::string& name : class_names) legend.push_back(shortened(name));
  legend.push_back("ignored");
  int legend_text = 0;
  for (const std::string& name : legend) legend_text = std::max(legend_text, Canvas::text_width(name, kOverlayText));
  const int canvas_w = legend_x + kSwatch + 6 + legend_text + kOverlayMargin;
  const int canvas_h = std::max(top + rows * panel_h + (rows - 1) * kOverlayGap, top + static_cast<int>(legend.size()) * kLegendLine) + kOverlayMargin;
  Canvas canvas(canvas_w, canvas_h, kWhite);

  // Short titles: at full size they fit the narrowest usual panel (128 pixels).
  const char* titles[3] = {"image", "truth", "prediction"};
  for (int c = 0; c < 3; ++c) {
    const report::TextSize size = Canvas::text_width(titles[c], kOverlayText) <= panel_w ? kOverlayText : kOverlaySmall;
    const int x = kOverlayMargin + c * (panel_w + kOverlayGap) + (panel_w - Canvas::text_width(titles[c], size)) / 2;
    canvas.text(x, kOverlayMargin + Canvas::text_height(kOverlayText) - Canvas::text_height(size), titles[c], kInk, size);
  }
  for (int e = 0; e < rows; ++e) {
    const std::vector<float>& image = images[e];
    const bool rgb = image.size() == static_cast<size_t>(3 * pixels);
    const int y0 = top + e * (panel_h + kOverlayGap);
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) {
        const int64_t i = y * width + x;
        const Rgb pixel = rgb ? Rgb{to_byte(image[3 * i]), to_byte(image[3 * i + 1]), to_byte(image[3 * i + 2])}
                              : Rgb{to_byte(image[i]), to_byte(image[i]), to_byte(image[i])};
        const int64_t t = targets[e][i];
        const Rgb truth = half_and_half(pixel, t == ignore_index ? kIgnoredColour : segmentation_colour(t));
        const Rgb predicted = half_and_half(pixel, segmentation_colour(predictions[e][i]));
        const int px = static_cast<int>(x) * scale, py = y0 + static_cast<int>(y) * scale;
        canvas.fill_rect({kOverlayMargin + px, py, scale, scale}, pixel);
        canvas.fill_rect({kOverlayMargin + panel_w + kOverlayGap + px, py, scale, scale}, truth);
        canvas.fill_rect({kOverlayMargin + 2 * (panel_w + kOverlayGap) + px, py, scale, scale}, predicted);
      }
  }
  for (size_t k = 0; k < legend.size(); ++k) {
    const int y = top + static_cast<int>(k) * kLegendLine;
    const Rgb colour = k < class_names.size() ? segmentation_colour(static_cast<int64_t>(k)) : kIgnoredColour;
    canvas.fill_rect({legend_x, y + 1, kSwatch, kSwatch}, colour);
    canvas.outline_rect({legend_x, y + 1, kSwatch, kSwatch}, kInk);
    canvas.text(legend_x + kSwatch + 6, y - 1, legend[k], kInk, kOverlayText);
  }
  write_file_atomically(path, canvas.png());
}

}  // namespace gaze
