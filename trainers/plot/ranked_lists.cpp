// write_ranked_lists_png: each query beside its nearest gallery entries, matches framed in green.
#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/plot/canvas.h"
#include "trainers/plot/pictures.h"

namespace gaze {

namespace {

using report::Canvas;
using report::Rgb;

using report::kInk;
using report::kWhite;
using report::to_byte;
constexpr int kListMargin = 16, kListGap = 6, kQueryGap = 18, kBorder = 4;
constexpr report::TextSize kListText{18}, kListSmall{13};

// A frame enlarged `scale` times inside a `kBorder`-pixel frame of `border`, top-left at (x, y).
void draw_frame(Canvas& canvas, int x, int y, const std::vector<float>& frame, int64_t height, int64_t width, int64_t channels,
                int scale, Rgb border) {
  const int w = static_cast<int>(width) * scale, h = static_cast<int>(height) * scale;
  canvas.fill_rect({x, y, w + 2 * kBorder, h + 2 * kBorder}, border);
  for (int64_t r = 0; r < height; ++r)
    for (int64_t c = 0; c < width; ++c) {
      const float* v = frame.data() + (r * width + c) * channels;
      const Rgb pixel = channels == 3 ? Rgb{to_byte(v[0]), to_byte(v[1]), to_byte(v[2])} : Rgb{to_byte(v[0]), to_byte(v[0]), to_byte(v[0])};
      canvas.fill_rect({x + kBorder + static_cast<int>(c) * scale, y + kBorder + static_cast<int>(r) * scale, scale, scale}, pixel);
    }
}

}  // namespace

void write_ranked_lists_png(const std::string& path, const std::vector<std::vector<float>>& queries,
                            const std::vector<std::vector<float>>& gallery, int64_t height, int64_t width, int64_t channels,
                            const std::vector<std::vector<int64_t>>& ranked, const std::vector<std::vector<bool>>& matches) {
  const char* what = "write_ranked_lists_png";
  if (queries.empty()) fail("{}({}): no queries; give at least one query frame with its ranked list", what, path);
  if (channels != 1 && channels != 3) fail("{}({}): {} channels; frames must be grey (1) or RGB (3)", what, path, channels);
  if (height < 1 || width < 1 || height > 1024 || width > 1024)
    fail("{}({}): a {}×{} frame; height and width must be in 1..1024", what, path, height, width);
  if (ranked.size() != queries.size() || matches.size() != queries.size())
    fail("{}({}): {} queries, {} ranked lists and {} lists of match flags; give one of each per query", what, path, queries.size(),
         ranked.size(), matches.size());
  const auto frame_size = static_cast<size_t>(height * width * channels);
  auto check_frame = [&](const char* kind, size_t index, const std::vector<float>& frame) {
    if (frame.size() != frame_size)
      fail("{}({}): {} frame {} has {} values; a {}×{}×{} frame (channels last) needs {}", what, path, kind, index, frame.size(), height,
           width, channels, frame_size);
  };
  for (size_t q = 0; q < queries.size(); ++q) check_frame("query", q, queries[q]);
  for (size_t g = 0; g < gallery.size(); ++g) check_frame("gallery", g, gallery[g]);
  size_t top_k = 0;
  for (size_t q = 0; q < queries.size(); ++q) {
    if (matches[q].size() != ranked[q].size())
      fail("{}({}): query {} has {} ranked entries and {} match flags; give one flag per entry", what, path, q, ranked[q].size(),
           matches[q].size());
    for (int64_t g : ranked[q])
      if (g < 0 || static_cast<size_t>(g) >= gallery.size())
        fail("{}({}): query {} ranks gallery index {}, outside the {} gallery frames", what, path, q, g, gallery.size());
    top_k = std::max(top_k, ranked[q].size());
  }

  // Layout: rank numbers above, then per query its frame, a wider gap, and its ranked frames.
  const int scale = std::max(1, 128 / static_cast<int>(std::max(height, width)));
  const int cell_w = static_cast<int>(width) * scale + 2 * kBorder, cell_h = static_cast<int>(height) * scale + 2 * kBorder;
  const int k = static_cast<int>(top_k), rows = static_cast<int>(queries.size());
  const int top = kListMargin + Canvas::text_height(kListText) + kListGap;
  const int first_rank_x = kListMargin + cell_w + kQueryGap;
  const int canvas_w = (k == 0 ? kListMargin + cell_w : first_rank_x + k * cell_w + (k - 1) * kListGap) + kListMargin;
  const int canvas_h = top + rows * cell_h + (rows - 1) * kListGap + kListMargin;
  Canvas canvas(canvas_w, canvas_h, kWhite);

  // A column's heading, centred over its cell; it may spill into the gap after the cell (narrow
  // frames), and falls back to a smaller size where even that is too narrow.
  auto heading = [&](int x, const std::string& text, int gap) {
    const report::TextSize size = Canvas::text_width(text, kListText) <= cell_w + gap ? kListText : kListSmall;
    const int text_x = x + std::max(0, (cell_w - Canvas::text_width(text, size)) / 2);
    canvas.text(text_x, kListMargin + Canvas::text_height(kListText) - Canvas::text_height(size), text, kInk, size);
  };
  heading(kListMargin, "query", kQueryGap);
  for (int j = 0; j < k; ++j) heading(first_rank_x + j * (cell_w + kListGap), std::to_string(j + 1), kListGap);
  for (int q = 0; q < rows; ++q) {
    const int y = top + q * (cell_h + kListGap);
    draw_frame(canvas, kListMargin, y, queries[q], height, width, channels, scale, kQueryColour);
    for (size_t j = 0; j < ranked[q].size(); ++j)
      draw_frame(canvas, first_rank_x + static_cast<int>(j) * (cell_w + kListGap), y, gallery[ranked[q][j]], height, width, channels, scale,
                 matches[q][j] ? kMatchColour : kMismatchColour);
  }
  write_file_atomically(path, canvas.png());
}

}  // namespace gaze
