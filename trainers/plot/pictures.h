// Pictures of segmentation and re-identification results, drawn with the report's Canvas and
// font and written atomically as PNGs (like plot.h's charts).
//
// Images come as float values in [0, 1] (clamped; NaN draws as 0), row-major, channels last:
// H·W values for grey or H·W·3 for RGB. A tensor [C, H, W] becomes that with
// permute(x, {1, 2, 0}) after undoing the normalization.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/plot/canvas.h"

namespace gaze {

// The fixed colour of a class: PASCAL VOC's colour map (class 0 black, 1 dark red, 2 dark green,
// ...; distinct for 0..255), the palette mmseg and torchvision draw VOC with. ignore_index pixels
// use VOC's "void" colour (224, 224, 192).
report::Rgb segmentation_colour(int64_t class_index);
inline constexpr report::Rgb kIgnoredColour{224, 224, 192};

// One row per example: the image | the ground truth over it | the prediction over it, under
// column titles ("image", "truth", "prediction"), with a legend (a swatch and name per class, then "ignored") on the right.
// Labels are laid over the image half and half: colour = (image + segmentation_colour) / 2.
// Each panel is the image enlarged by s = max(1, 128 / max(height, width)) (integer division,
// nearest neighbour), so pictures of small scenes are readable.
// targets and predictions: height·width labels per example; a target may be ignore_index, a
// prediction may not; every other label must be in [0, class_names.size()).
void write_segmentation_overlays_png(const std::string& path, const std::vector<std::vector<float>>& images,
                                     const std::vector<std::vector<int64_t>>& targets,
                                     const std::vector<std::vector<int64_t>>& predictions, int64_t height, int64_t width,
                                     const std::vector<std::string>& class_names, int64_t ignore_index = 255);

// One row per query: the query's frame (dark border), then its ranked gallery frames, nearest
// first, each with a green border for a true match and a red one otherwise; ranks are numbered
// above. ranked[q] holds gallery indices (ranked_gallery in trainers/lib/metrics/retrieval_metrics.h)
// and matches[q][j] whether ranked[q][j] shows the query's identity. Frames (queries and gallery
// alike) are height × width × channels (1 or 3), enlarged by s = max(1, 128 / max(height, width)).
void write_ranked_lists_png(const std::string& path, const std::vector<std::vector<float>>& queries,
                            const std::vector<std::vector<float>>& gallery, int64_t height, int64_t width, int64_t channels,
                            const std::vector<std::vector<int64_t>>& ranked, const std::vector<std::vector<bool>>& matches);

// Colours of the ranked lists' borders, for tests and captions.
inline constexpr report::Rgb kMatchColour{44, 160, 44}, kMismatchColour{214, 39, 40}, kQueryColour{30, 30, 30};

}  // namespace gaze
