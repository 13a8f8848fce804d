// Label maps of the segmentation datasets read into one class index per pixel (0..classes-1, or
// 255 for pixels no loss or metric counts), each value checked, so that a bad label file fails at
// the pixel that is wrong rather than as a strange loss later.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

inline constexpr uint8_t kLabelIgnore = 255;

enum class LabelEncoding {
  // A grey PNG whose value is the class (Cityscapes' *_labelTrainIds.png, VOC's
  // SegmentationClassAug, ADE20K's annotations); 255 is ignored.
  grey_index,
  // VOC's SegmentationClass palette PNGs: stb_image expands the palette to RGB, so each of the 21
  // VOC colours is mapped back to its index and the border colour (224, 224, 192) to 255.
  voc_palette,
};

struct LabelFormat {
  LabelEncoding encoding = LabelEncoding::grey_index;
  int64_t classes = 19;
  // mmseg's reduce_zero_label (ADE20K): 0 ("other") becomes 255 and every k >= 1 becomes k - 1,
  // applied before the range check.
  bool reduce_zero_label = false;
};

struct LabelMap {
  int64_t height = 0, width = 0;
  std::vector<uint8_t> labels;  // height x width, row after row
};

// Reads `path` as `format` says. A value that is neither a class nor 255 (or a colour that is no
// VOC colour) is a gaze::Error naming the file, the pixel (x, y), the value and the fix.
LabelMap read_label_map(const std::string& path, const LabelFormat& format);

// The 21 colours of VOC's palette (background, aeroplane, ..., tvmonitor), as R, G, B.
const std::vector<std::array<uint8_t, 3>>& voc_palette_colours();

}  // namespace gaze
