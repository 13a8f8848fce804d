// torchvision's transforms for decoded images of any size (ImageFolder): RandomResizedCrop,
// Resize, CenterCrop, ColorJitter, RandomHorizontalFlip and Normalize, on float pixels in [0, 1],
// channels first. transforms.h holds the fixed-size in-memory sets' (Fashion-MNIST, CIFAR-10).
//
// Every random choice draws from the Generator passed in, in the order the transforms are listed,
// so an image's augmentation is a function of the loader's seeded stream.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/random.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

// An image as float planes: channels x height x width, row after row.
struct FloatImage {
  int64_t channels = 0, height = 0, width = 0;
  std::vector<float> pixels;
  float at(int64_t c, int64_t y, int64_t x) const { return pixels[static_cast<size_t>((c * height + y) * width + x)]; }
};

// pixels / 255, planes first (torchvision's ToTensor).
FloatImage to_float_image(const DecodedImage& image);

struct ImageTransformOptions {
  // Applied in order. "random_resized_crop", "color_jitter" and "hflip" are random; the others are
  // not. The list must bring every image to size x size (random_resized_crop, or resize then
  // center_crop) before the batch is made.
  std::vector<std::string> names;
  int64_t size = 224;         // random_resized_crop's and center_crop's output side
  int64_t resize = 256;       // resize: the shorter side becomes this, the aspect ratio kept
  double scale_min = 0.08, scale_max = 1.0;         // random_resized_crop: fraction of the area
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;  // random_resized_crop: width / height
  double brightness = 0.4, contrast = 0.4, saturation = 0.4;  // color_jitter: factors in [1 - v, 1 + v]
  double flip_probability = 0.5;
  std::vector<double> mean{0.485, 0.456, 0.406}, std{0.229, 0.224, 0.225};  // normalize: ImageNet's
};

// The names ImageTransformOptions::names may hold.
const std::vector<std::string>& image_transform_names();

// Checks `t` for `channels`-channel images: known names, a list that ends at size x size, sizes
// and ranges that make sense. `where` starts each message (a config key). The source calls it
// at construction.
void validate_image_transforms(const ImageTransformOptions& t, int64_t channels, const std::string& where);

// Applies t.names in order to `image`. `rng` null: no augmentation (the random transforms are
// skipped; random_resized_crop then needs a list without it, which is the evaluation list).
void apply_image_transforms(FloatImage& image, const ImageTransformOptions& t, Generator* rng);

// The single steps, as torchvision defines them.

// Bilinear resampling to out_height x out_width with pixel centres aligned (half-pixel offsets,
// edge pixels clamped): torch's interpolate(mode="bilinear", align_corners=False, antialias=False).
FloatImage resize_bilinear(const FloatImage& image, int64_t out_height, int64_t out_width);
// Resize(size) with an int: the shorter side becomes `size`, the longer int(size * long / short).
FloatImage resize_shorter_side(const FloatImage& image, int64_t size);
// The window of height x width at (top, left); parts outside the image are 0 (CenterCrop pads so).
FloatImage crop(const FloatImage& image, int64_t top, int64_t left, int64_t height, int64_t width);
// CenterCrop(size): top = round((H - size) / 2), left = round((W - size) / 2), rounding half to even as Python's round.
FloatImage center_crop(const FloatImage& image, int64_t size);

// RandomResizedCrop.get_params: up to 10 draws of an area fraction in [scale_min, scale_max] and a
// log-uniform aspect ratio in [ratio_min, ratio_max] until the box fits, then a uniform position;
// failing that, the central crop with the ratio clamped to the range.
struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
};
CropBox random_resized_crop_box(int64_t height, int64_t width, const ImageTransformOptions& t, Generator& rng);

// ColorJitter's adjustments (3 channels, RGB): brightness scales; contrast blends with the mean
// of the greyscale image; saturation blends with the greyscale image. Results clamp to [0, 1].
void adjust_brightness(FloatImage& image, double factor);
void adjust_contrast(FloatImage& image, double factor);
void adjust_saturation(FloatImage& image, double factor);

}  // namespace gaze
