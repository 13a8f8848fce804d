#include "trainers/datasets/segmentation_files.h"

#include "framework/error.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

SegmentationFiles::SegmentationFiles(std::vector<SegmentationPair> pairs, SegmentationFilesOptions options)
    : pairs_(std::move(pairs)), options_(std::move(options)) {
  const auto& o = options_;
  if (pairs_.empty()) fail("SegmentationFiles: the split has no images");
  if (o.class_names.empty() || static_cast<int64_t>(o.class_names.size()) != o.labels.classes)
    fail("SegmentationFiles: {} class names for {} classes", o.class_names.size(), o.labels.classes);
  if (o.crop.height < 8 || o.crop.width < 8) fail("data.crop_size: {}x{} is too small; give [height, width] of 8 or more", o.crop.height, o.crop.width);
  if (o.scale.height < 1 || o.scale.width < 1) fail("data.scale: {}x{}; give a positive [height, width] (the size images are resized around)", o.scale.height, o.scale.width);
  if (!(o.min_ratio > 0 && o.min_ratio <= o.max_ratio))
    fail("data.ratio_range: [{}, {}] must be positive and in order, e.g. [50, 200] (percent)", o.min_ratio * 100, o.max_ratio * 100);
  if (o.mean.size() != 3 || o.std.size() != 3) fail("SegmentationFiles: give three means and stds (RGB)");
}

LabelledImage SegmentationFiles::read(int64_t index) const {
  const SegmentationPair& pair = pairs_.at(static_cast<size_t>(index));
  DecodedImage image = read_image(pair.image, 3);
  LabelMap labels = read_label_map(pair.label, options_.labels);
  if (labels.height != image.height || labels.width != image.width)
    fail("{}: the label map is {}x{} but its image {} is {}x{}; a label map must match its image pixel for pixel", pair.label,
         labels.width, labels.height, pair.image, image.width, image.height);
  LabelledImage out;
  out.height = image.height, out.width = image.width, out.channels = 3;
  out.pixels = std::move(image.pixels);
  out.labels = std::move(labels.labels);
  return out;
}

void SegmentationFiles::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const auto& o = options_;
  LabelledImage sample = read(index);
  if (augment != nullptr) {
    sample = random_resize(sample, o.scale, o.min_ratio, o.max_ratio, *augment);
    sample = random_crop(sample, o.crop, o.cat_max_ratio, *augment);
    random_flip(sample, o.flip_probability, *augment);
    if (o.photometric_distortion) photometric_distortion(sample, *augment);
  } else {
    sample = resize_labelled(sample, keep_ratio_size({sample.height, sample.width}, o.scale));
    sample = crop_labelled(sample, 0, 0, o.crop);
  }
  write_normalized(sample, o.mean, o.std, o.crop, input, target);
}

WholeImage SegmentationFiles::whole_image(int64_t index) const {
  WholeImage whole;
  LabelledImage full = read(index);
  whole.labels.height = full.height, whole.labels.width = full.width, whole.labels.labels = full.labels;
  whole.image = resize_labelled(full, keep_ratio_size({full.height, full.width}, options_.scale));
  return whole;
}

}  // namespace gaze
