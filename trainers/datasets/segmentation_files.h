// SegmentationFiles: a segmentation dataset on disk (Cityscapes, Pascal VOC, ADE20K, or any image
// folder + label folder; segmentation_layouts.h lists the pairs) as an ExampleSource. Training
// examples go through mmseg's pipeline: RandomResize of a base scale by a random ratio (keep
// ratio), RandomCrop with cat_max_ratio, RandomFlip, PhotoMetricDistortion (optional), Normalize, Pad to the crop size (image 0,
// labels 255). Evaluation reads whole images instead (whole_image): resized to the base scale,
// keeping their ratio, with their labels at the original size, so the task scores every pixel.
#pragma once
#include <string>
#include <vector>

#include "trainers/datasets/segmentation_labels.h"
#include "trainers/datasets/segmentation_layouts.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/segmentation_transforms.h"

namespace gaze {

struct SegmentationFilesOptions {
  std::vector<std::string> class_names;
  LabelFormat labels;
  Size2 crop{512, 1024};    // training crop (height, width); examples are this size
  Size2 scale{1024, 2048};  // base scale (short, long sides in either order); images fit in it keeping their ratio
  double min_ratio = 0.5, max_ratio = 2.0;  // RandomResize's ratio range
  double cat_max_ratio = 0.75;              // RandomCrop: 1 turns the check off
  double flip_probability = 0.5;
  bool photometric_distortion = false;     // after the flip, as mmseg's pipelines place it
  std::vector<double> mean{123.675, 116.28, 103.53}, std{58.395, 57.12, 57.375};  // RGB, 0..255 (ImageNet's, as mmseg)
};

// One evaluation image: `image` at the test scale, and the labels at the file's own size.
struct WholeImage {
  LabelledImage image;   // resized to keep_ratio_size(original, scale); its labels resized too (unused)
  LabelMap labels;       // as read
};

class SegmentationFiles : public ExampleSource {
 public:
  // Checks the options (names the bad one); the files are read when an example is asked for.
  SegmentationFiles(std::vector<SegmentationPair> pairs, SegmentationFilesOptions options);

  int64_t size() const override { return static_cast<int64_t>(pairs_.size()); }
  Shape input_shape() const override { return {3, options_.crop.height, options_.crop.width}; }
  Shape target_shape() const override { return {options_.crop.height, options_.crop.width}; }
  // With `augment`: the training pipeline (RandomResize, RandomCrop, RandomFlip, then
  // PhotoMetricDistortion when asked for, in that order, each drawing from it). Without: the image resized to the base scale and its top-left crop, for
  // pictures of a fixed size. Both normalized and padded to the crop size.
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return options_.class_names; }

  // Image `index` decoded as RGB with its label map; a size mismatch names both files.
  LabelledImage read(int64_t index) const;
  WholeImage whole_image(int64_t index) const;
  const std::vector<SegmentationPair>& pairs() const { return pairs_; }
  const SegmentationFilesOptions& options() const { return options_; }

 private:
  std::vector<SegmentationPair> pairs_;
  SegmentationFilesOptions options_;
};

}  // namespace gaze
