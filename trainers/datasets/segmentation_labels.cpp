#include "trainers/datasets/segmentation_labels.h"

#include "framework/error.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

namespace {

// VOC's colour map: bit k of a label's index goes to bit 7 - k/3 of channel k % 3 (VOCdevkit's
// labelcolormap), which gives these for 0..20.
std::vector<std::array<uint8_t, 3>> make_voc_palette() {
  std::vector<std::array<uint8_t, 3>> colours;
  for (int label = 0; label < 21; ++label) {
    std::array<uint8_t, 3> rgb{0, 0, 0};
    int c = label;
    for (int bit = 7; bit >= 0 && c > 0; --bit, c >>= 3)
      for (int ch = 0; ch < 3; ++ch)
        if ((c >> ch) & 1) rgb[ch] = static_cast<uint8_t>(rgb[ch] | (1 << bit));
    colours.push_back(rgb);
  }
  return colours;
}

constexpr std::array<uint8_t, 3> kVocBorder{224, 224, 192};

}  // namespace

const std::vector<std::array<uint8_t, 3>>& voc_palette_colours() {
  static const std::vector<std::array<uint8_t, 3>> colours = make_voc_palette();
  return colours;
}

LabelMap read_label_map(const std::string& path, const LabelFormat& format) {
  const bool palette = format.encoding == LabelEncoding::voc_palette;
  const DecodedImage image = read_image(path, palette ? 3 : 0);
  if (!palette && image.channels != 1)
    fail("{}: a label file must be a one-channel (grey) PNG whose values are class indices, but it has {} channels; "
         "for VOC's colour PNGs (SegmentationClass) use data.label_encoding: voc_palette",
         path, image.channels);
  LabelMap map;
  map.height = image.height;
  map.width = image.width;
  map.labels.resize(static_cast<size_t>(image.height * image.width));
  const auto& colours = voc_palette_colours();
  for (int64_t y = 0; y < image.height; ++y)
    for (int64_t x = 0; x < image.width; ++x) {
      int64_t value = 0;
      if (palette) {
        const std::array<uint8_t, 3> rgb{image.at(y, x, 0), image.at(y, x, 1), image.at(y, x, 2)};
        value = -1;
        if (rgb == kVocBorder) value = kLabelIgnore;
        for (size_t k = 0; k < colours.size() && value < 0; ++k)
          if (colours[k] == rgb) value = static_cast<int64_t>(k);
        if (value < 0)
          fail("{}: pixel (x {}, y {}) has colour ({}, {}, {}), which is none of VOC's 21 class colours nor its border (224, 224, 192); "
               "is this a VOC SegmentationClass PNG? Grey index PNGs (SegmentationClassAug) need data.label_encoding: grey_index",
               path, x, y, rgb[0], rgb[1], rgb[2]);
      } else {
        value = image.at(y, x, 0);
        if (format.reduce_zero_label) value = value == 0 ? kLabelIgnore : value == kLabelIgnore ? kLabelIgnore : value - 1;
        if (value != kLabelIgnore && value >= format.classes)
          fail("{}: pixel (x {}, y {}) has label {}{}, outside the {} classes 0..{} and not the ignore label 255; "
               "check that this is the dataset's train-id label file (Cityscapes: *_labelTrainIds.png made by createTrainIdLabelImgs.py)",
               path, x, y, image.at(y, x, 0), format.reduce_zero_label ? " (after reduce_zero_label)" : "", format.classes,
               format.classes - 1);
      }
      map.labels[static_cast<size_t>(y * image.width + x)] = static_cast<uint8_t>(value);
    }
  return map;
}

}  // namespace gaze
