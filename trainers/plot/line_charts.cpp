// write_line_charts_png: the panel grid of curves.png.
#include <algorithm>
#include <cmath>
#include <limits>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/plot/axis.h"
#include "trainers/plot/canvas.h"
#include "trainers/plot/plot.h"

namespace gaze {

namespace {

using report::Axis;
using report::Canvas;
using report::Rect;
using report::Rgb;

// Tick labels, legend and axis label; the panel's title a little larger (as matplotlib's 10 and 12 pt).
constexpr report::TextSize kChartText{18}, kChartTitle{22};
constexpr int kPanelWidth = 640, kPanelHeight = 440;
constexpr int kLineWidth = 2;
using report::kInk;
using report::kWhite;
const Rgb kFrame{90, 90, 90}, kGrid{228, 228, 228}, kMuted{120, 120, 120};

// matplotlib's "tab10": ten colours that stay distinct, also in greyscale print.
const Rgb kPalette[] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},  {148, 103, 189},
                        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};

struct Point {
  double x, y;
};

// A series' points with the unusable ones as breaks (NaN), so lines do not jump over them.
struct Curve {
  std::string name;
  Rgb colour;
  std::vector<Point> points;
};

bool usable(double x, double y, bool log_y) { return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0.0); }

std::vector<Curve> usable_curves(const std::string& path, const Panel& panel) {
  std::vector<Curve> curves;
  for (size_t s = 0; s < panel.series.size(); ++s) {
    const Series& series = panel.series[s];
    if (series.x.size() != series.y.size())
      fail("write_line_charts_png({}): series '{}' of panel '{}' has {} x values and {} y values; give one x per y",
           path, series.name, panel.title, series.x.size(), series.y.size());
    Curve curve{series.name, kPalette[s % std::size(kPalette)], {}};
    bool any = false;
    for (size_t i = 0; i < series.x.size(); ++i) {
      if (usable(series.x[i], series.y[i], panel.log_y)) {
        curve.points.push_back({series.x[i], series.y[i]});
        any = true;
      } else if (!curve.points.empty() && !std::isnan(curve.points.back().x)) {
        curve.points.push_back({std::nan(""), std::nan("")});
      }
    }
    if (any) curves.push_back(std::move(curve));
  }
  return curves;
}

// Draws the legend's entries in a box at the corner of `plot` that hides the fewest points.
void draw_legend(Canvas& canvas, const Rect& plot, const std::vector<Curve>& curves,
                 const std::vector<std::vector<Point>>& pixels) {
  constexpr int kPad = 6, kSwatch = 22, kGap = 6;
  int row_height = Canvas::text_height(kChartText) + 6;
  int text_width = 0;
  for (const Curve& curve : curves) text_width = std::max(text_width, Canvas::text_width(curve.name, kChartText));
  int width = std::min(kPad * 2 + kSwatch + kGap + text_width, plot.width - 8);
  int height = kPad * 2 + row_height * static_cast<int>(curves.size()) - 6;

  Rect best;
  size_t fewest = std::numeric_limits<size_t>::max();
  for (int corner = 0; corner < 4; ++corner) {  // top-right, top-left, bottom-right, bottom-left
    Rect box{corner % 2 == 0 ? plot.x + plot.width - width - 6 : plot.x + 6,
             corner < 2 ? plot.y + 6 : plot.y + plot.height - height - 6, width, height};
    size_t hidden = 0;
    for (const auto& curve : pixels)
      for (const Point& p : curve) hidden += box.contains(p.x, p.y);
    if (hidden < fewest) {
      fewest = hidden;
      best = box;
    }
  }
  canvas.fill_rect(best, kWhite);
  canvas.outline_rect(best, kGrid);
  for (size_t i = 0; i < curves.size(); ++i) {
    int y = best.y + kPad + static_cast<int>(i) * row_height;
    int middle = y + Canvas::text_height(kChartText) / 2 - 1;
    canvas.line(best.x + kPad, middle, best.x + kPad + kSwatch, middle, curves[i].colour, 3);
    canvas.text(best.x + kPad + kSwatch + kGap, y, curves[i].name, kInk, kChartText);
  }
}

void draw_panel(Canvas& canvas, const Rect& area, const std::string& path, const Panel& panel) {
  const int text_height = Canvas::text_height(kChartText);
  canvas.set_clip(area);
  canvas.text(area.x + (area.width - Canvas::text_width(panel.title, kChartTitle)) / 2, area.y + 12, panel.title, kInk, kChartTitle);

  std::vector<Curve> curves = usable_curves(path, panel);
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  for (const Curve& curve : curves)
    for (const Point& p : curve.points)
      if (!std::isnan(p.x)) {
        x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
        y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
      }
  bool empty = curves.empty();
  Axis x_axis = empty ? report::linear_axis(0, 1) : report::linear_axis(x_min, x_max);
  Axis y_axis = empty ? report::linear_axis(0, 1) : panel.log_y ? report::log_axis(y_min, y_max) : report::linear_axis(y_min, y_max);

  int y_label_width = 0;
  for (const std::string& label : y_axis.labels) y_label_width = std::max(y_label_width, Canvas::text_width(label, kChartText));
  int left = 14 + y_label_width + 10, top = 12 + Canvas::text_height(kChartTitle) + 14;
  int bottom = 8 + text_height + (panel.x_label.empty() ? 8 : 10 + text_height + 10), right = 24;
  Rect plot{area.x + left, area.y + top, area.width - left - right, area.height - top - bottom};

  auto to_x = [&](double v) { return plot.x + x_axis.fraction(v) * (plot.width - 1); };
  auto to_y = [&](double v) { return plot.y + (1.0 - y_axis.fraction(v)) * (plot.height - 1); };

  // Grid, ticks and their labels. x labels that would touch are thinned to every k-th.
  for (size_t i = 0; i < y_axis.ticks.size(); ++i) {
    int y = static_cast<int>(std::lround(to_y(y_axis.ticks[i])));
    canvas.fill_rect({plot.x, y, plot.width, 1}, kGrid);
    canvas.fill_rect({plot.x - 5, y, 5, 1}, kFrame);
    canvas.text(plot.x - 8 - Canvas::text_width(y_axis.labels[i], kChartText), y - text_height / 2, y_axis.labels[i], kInk, kChartText);
  }
  int widest = 0;
  for (const std::string& label : x_axis.labels) widest = std::max(widest, Canvas::text_width(label, kChartText));
  double spacing = x_axis.ticks.size() > 1 ? plot.width / static_cast<double>(x_axis.ticks.size() - 1) : plot.width;
  size_t stride = std::max<size_t>(1, static_cast<size_t>(std::ceil((widest + 14) / spacing)));
  for (size_t i = 0; i < x_axis.ticks.size(); ++i) {
    int x = static_cast<int>(std::lround(to_x(x_axis.ticks[i])));
    canvas.fill_rect({x, plot.y, 1, plot.height}, kGrid);
    canvas.fill_rect({x, plot.y + plot.height, 1, 5}, kFrame);
    if (i % stride == 0)
      canvas.text(x - Canvas::text_width(x_axis.labels[i], kChartText) / 2, plot.y + plot.height + 8, x_axis.labels[i], kInk, kChartText);
  }
  canvas.outline_rect(plot, kFrame);
  if (!panel.x_label.empty())
    canvas.text(plot.x + (plot.width - Canvas::text_width(panel.x_label, kChartText)) / 2,
                plot.y + plot.height + 8 + text_height + 10, panel.x_label, kInk, kChartText);

  if (empty) {
    const char* message = "no data";
    canvas.text(plot.x + (plot.width - Canvas::text_width(message, kChartText)) / 2, plot.y + (plot.height - text_height) / 2,
                message, kMuted, kChartText);
    canvas.reset_clip();
    return;
  }

  // The curves, clipped to the inside of the frame.
  std::vector<std::vector<Point>> pixels;
  canvas.set_clip({plot.x + 1, plot.y + 1, plot.width - 2, plot.height - 2});
  for (const Curve& curve : curves) {
    std::vector<Point>& mapped = pixels.emplace_back();
    for (const Point& p : curve.points) mapped.push_back(std::isnan(p.x) ? p : Point{to_x(p.x), to_y(p.y)});
    for (size_t i = 0; i < mapped.size(); ++i) {
      const Point& p = mapped[i];
      if (std::isnan(p.x)) continue;
      bool alone = (i == 0 || std::isnan(mapped[i - 1].x)) && (i + 1 == mapped.size() || std::isnan(mapped[i + 1].x));
      if (alone)  // a point with no neighbour: a dot, or it would not show
        canvas.fill_rect({static_cast<int>(std::lround(p.x)) - 2, static_cast<int>(std::lround(p.y)) - 2, 5, 5}, curve.colour);
      else if (i + 1 < mapped.size() && !std::isnan(mapped[i + 1].x))
        canvas.line(p.x, p.y, mapped[i + 1].x, mapped[i + 1].y, curve.colour, kLineWidth);
    }
  }
  draw_legend(canvas, plot, curves, pixels);
  canvas.reset_clip();
}

}  // namespace

void write_line_charts_png(const std::string& path, const std::vector<Panel>& panels) {
  if (panels.empty()) fail("write_line_charts_png({}): no panels to draw; pass at least one", path);
  int columns = panels.size() == 1 ? 1 : 2;
  int rows = static_cast<int>((panels.size() + columns - 1) / columns);
  Canvas canvas(columns * kPanelWidth, rows * kPanelHeight, kWhite);
  for (size_t i = 0; i < panels.size(); ++i) {
    Rect area{static_cast<int>(i % columns) * kPanelWidth, static_cast<int>(i / columns) * kPanelHeight, kPanelWidth,
              kPanelHeight};
    draw_panel(canvas, area, path, panels[i]);
  }
  write_file_atomically(path, canvas.png());
}

}  // namespace gaze
