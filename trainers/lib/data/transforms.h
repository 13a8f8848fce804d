// Batch construction: uint8 images to a float32 [B,C,H,W] tensor, then the listed transforms
// (torchvision's ToTensor, Normalize, RandomCrop(padding), RandomHorizontalFlip).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/random.h"
#include "framework/tensor.h"
#include "trainers/lib/data/image_set.h"

namespace gaze {

struct TransformOptions {
  std::vector<std::string> names;  // applied in order: "normalize", "random_crop", "hflip"
  std::vector<double> mean{0.2860}, std{0.3530};  // Fashion-MNIST's statistics, per channel (or one for all)
  int64_t crop_padding = 4;  // random_crop: zero-pad by this, then crop back to H×W at a random offset
  double flip_probability = 0.5;
};

// The transform names make_batch_images knows.
const std::vector<std::string>& transform_names();

// Checks `t` against images of `channels` channels: known names, one mean and std per channel
// (or one for all), std > 0, padding >= 0, probability in [0, 1]. make_batch_images calls it;
// call it early to reject a config before anything is loaded.
void validate_transforms(const TransformOptions& t, int64_t channels);

// One batch: float32 [B,C,H,W], pixels / 255, then the transforms in order. The random ones
// (random_crop, hflip) apply only when `augment`; evaluation batches get normalize only, if listed.
// `rng` drives every random choice, image after image, so a batch is a function of the rng's state.
Tensor make_batch_images(const ImageSet& set, const std::vector<int64_t>& indices, const TransformOptions& t,
                         bool augment, Generator& rng);

// One image of `set` (index checked by the caller) into `out` (C·H·W floats), as make_batch_images
// makes each of its images: the same draws from `rng`, in the same order.
void transform_image(const ImageSet& set, int64_t index, const TransformOptions& t, bool augment, Generator& rng, float* out);

// The labels at `indices`: i64 [B].
Tensor make_batch_labels(const ImageSet& set, const std::vector<int64_t>& indices);

}  // namespace gaze
