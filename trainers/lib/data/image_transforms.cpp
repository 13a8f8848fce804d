#include "trainers/lib/data/image_transforms.h"

#include "trainers/lib/data/linear_taps.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

bool is_random_image_transform(const std::string& name) {
  return name == "random_resized_crop" || name == "color_jitter" || name == "hflip";
}

// Python's round(): half to even (std::nearbyint in the default rounding mode).
int64_t python_round(double value) { return static_cast<int64_t>(std::nearbyint(value)); }

double uniform_between(Generator& rng, double low, double high) { return low + (high - low) * rng.uniform(); }

// torchvision's rgb_to_grayscale weights.
float grey_of(const FloatImage& image, size_t j) {
  const size_t plane = static_cast<size_t>(image.height * image.width);
  return 0.2989f * image.pixels[j] + 0.587f * image.pixels[plane + j] + 0.114f * image.pixels[2 * plane + j];
}

float blend_clamped(float value, float other, float factor) { return std::clamp(factor * value + (1.0f - factor) * other, 0.0f, 1.0f); }

void require_rgb(const FloatImage& image, const char* what) {
  if (image.channels != 3) fail("{}: needs an RGB image (3 channels), got {} channel(s)", what, image.channels);
}

void color_jitter(FloatImage& image, const ImageTransformOptions& t, Generator& rng) {
  // As torchvision: the order of the three adjustments is random, each factor uniform in [1 - v, 1 + v].
  const std::vector<int64_t> order = random_permutation(3, rng);
  const double values[3] = {t.brightness, t.contrast, t.saturation};
  double factors[3] = {1, 1, 1};
  for (int k = 0; k < 3; ++k) {
    if (values[k] > 0) factors[k] = uniform_between(rng, std::max(0.0, 1.0 - values[k]), 1.0 + values[k]);
  }
  for (int64_t k : order) {
    if (values[k] <= 0) continue;
    if (k == 0) adjust_brightness(image, factors[0]);
    else if (k == 1) adjust_contrast(image, factors[1]);
    else adjust_saturation(image, factors[2]);
  }
}

void mirror_image_rows(FloatImage& image) {
  for (int64_t r = 0; r < image.channels * image.height; ++r) {
    auto row = image.pixels.begin() + r * image.width;
    std::reverse(row, row + image.width);
  }
}

void normalize_image(FloatImage& image, const ImageTransformOptions& t) {
  const int64_t plane = image.height * image.width;
  for (int64_t c = 0; c < image.channels; ++c) {
    const size_t k = t.mean.size() == 1 ? 0 : static_cast<size_t>(c);
    const auto mean = static_cast<float>(t.mean[k]);
    const auto std = static_cast<float>(t.std[k]);
    float* p = image.pixels.data() + c * plane;
    for (int64_t j = 0; j < plane; ++j) p[j] = (p[j] - mean) / std;
  }
}


}  // namespace

FloatImage to_float_image(const DecodedImage& image) {
  FloatImage out;
  out.channels = image.channels;
  out.height = image.height;
  out.width = image.width;
  const int64_t plane = image.height * image.width;
  out.pixels.resize(static_cast<size_t>(image.channels * plane));
  for (int64_t j = 0; j < plane; ++j) {
    for (int64_t c = 0; c < image.channels; ++c)
      out.pixels[static_cast<size_t>(c * plane + j)] = static_cast<float>(image.pixels[static_cast<size_t>(j * image.channels + c)]) / 255.0f;
  }
  return out;
}

const std::vector<std::string>& image_transform_names() {
  static const std::vector<std::string> names{"random_resized_crop", "resize", "center_crop", "color_jitter", "hflip", "normalize"};
  return names;
}

void validate_image_transforms(const ImageTransformOptions& t, int64_t channels, const std::string& where) {
  bool fixed_size = false;
  for (const std::string& name : t.names) {
    const auto& known = image_transform_names();
    if (std::find(known.begin(), known.end(), name) == known.end())
      fail("{}: '{}' is not a transform of decoded images; they are {}", where, name, fmt::join(known, ", "));
    if (name == "random_resized_crop" || name == "center_crop") fixed_size = true;
    if (name == "resize") fixed_size = false;
    if (name == "color_jitter" && channels != 3) fail("{}: color_jitter needs RGB images; these have {} channel(s)", where, channels);
  }
  if (!fixed_size)
    fail("{}: [{}] leaves images at their own sizes, but a batch needs them all {}x{}: end with random_resized_crop (training) or "
         "resize, center_crop (evaluation)",
         where, fmt::join(t.names, ", "), t.size, t.size);
  if (t.size < 1 || t.resize < 1) fail("{}: the crop side {} and resize side {} must be positive", where, t.size, t.resize);
  if (!(t.scale_min > 0 && t.scale_min <= t.scale_max && t.scale_max <= 1))
    fail("{}: random_resized_crop's scale [{}, {}] must satisfy 0 < min <= max <= 1", where, t.scale_min, t.scale_max);
  if (!(t.ratio_min > 0 && t.ratio_min <= t.ratio_max))
    fail("{}: random_resized_crop's ratio [{}, {}] must satisfy 0 < min <= max", where, t.ratio_min, t.ratio_max);
  for (double v : {t.brightness, t.contrast, t.saturation}) {
    if (!(v >= 0)) fail("{}: color_jitter's strengths must be >= 0, got {}", where, v);
  }
  if (!(t.flip_probability >= 0 && t.flip_probability <= 1)) fail("{}: flip probability {} must be in [0, 1]", where, t.flip_probability);
  const auto per_channel = [&](const std::vector<double>& v) { return v.size() == 1 || static_cast<int64_t>(v.size()) == channels; };
  if (!per_channel(t.mean) || !per_channel(t.std))
    fail("{}: normalize has {} means and {} stds for {}-channel images; give one per channel, or one for all", where, t.mean.size(),
         t.std.size(), channels);
  for (double s : t.std) {
    if (!(s > 0)) fail("{}: normalize's std {} must be positive", where, s);
  }
}

void apply_image_transforms(FloatImage& image, const ImageTransformOptions& t, Generator* rng) {
  for (const std::string& name : t.names) {
    if (rng == nullptr && is_random_image_transform(name)) continue;
    if (name == "random_resized_crop") {
      const CropBox box = random_resized_crop_box(image.height, image.width, t, *rng);
      image = resize_bilinear(crop(image, box.top, box.left, box.height, box.width), t.size, t.size);
    } else if (name == "resize") {
      image = resize_shorter_side(image, t.resize);
    } else if (name == "center_crop") {
      image = center_crop(image, t.size);
    } else if (name == "color_jitter") {
      color_jitter(image, t, *rng);
    } else if (name == "hflip") {
      if (rng->uniform() < t.flip_probability) mirror_image_rows(image);
    } else if (name == "normalize") {
      normalize_image(image, t);
    } else {
      fail("image transforms: unknown transform '{}'; they are {}", name, fmt::join(image_transform_names(), ", "));
    }
  }
}

FloatImage resize_bilinear(const FloatImage& image, int64_t out_height, int64_t out_width) {
  if (out_height < 1 || out_width < 1 || image.height < 1 || image.width < 1)
    fail("resize: cannot resize a {}x{} image to {}x{}", image.height, image.width, out_height, out_width);
  const std::vector<LinearTap> rows = linear_taps(image.height, out_height);
  const std::vector<LinearTap> cols = linear_taps(image.width, out_width);
  FloatImage out;
  out.channels = image.channels;
  out.height = out_height;
  out.width = out_width;
  out.pixels.resize(static_cast<size_t>(image.channels * out_height * out_width));
  for (int64_t c = 0; c < image.channels; ++c) {
    const float* plane = image.pixels.data() + c * image.height * image.width;
    float* target = out.pixels.data() + c * out_height * out_width;
    for (int64_t y = 0; y < out_height; ++y) {
      const LinearTap& r = rows[static_cast<size_t>(y)];
      const float* top = plane + r.low * image.width;
      const float* bottom = plane + r.high * image.width;
      for (int64_t x = 0; x < out_width; ++x) {
        const LinearTap& q = cols[static_cast<size_t>(x)];
        const float upper = top[q.low] + static_cast<float>(q.weight) * (top[q.high] - top[q.low]);
        const float lower = bottom[q.low] + static_cast<float>(q.weight) * (bottom[q.high] - bottom[q.low]);
        target[y * out_width + x] = upper + static_cast<float>(r.weight) * (lower - upper);
      }
    }
  }
  return out;
}

FloatImage resize_shorter_side(const FloatImage& image, int64_t size) {
  if (image.width <= image.height) {
    const auto longer = static_cast<int64_t>(static_cast<double>(size) * static_cast<double>(image.height) / static_cast<double>(image.width));
    return resize_bilinear(image, longer, size);
  }
  const auto longer = static_cast<int64_t>(static_cast<double>(size) * static_cast<double>(image.width) / static_cast<double>(image.height));
  return resize_bilinear(image, size, longer);
}

FloatImage crop(const FloatImage& image, int64_t top, int64_t left, int64_t height, int64_t width) {
  if (height < 1 || width < 1) fail("crop: a {}x{} window is empty", height, width);
  FloatImage out;
  out.channels = image.channels;
  out.height = height;
  out.width = width;
  out.pixels.assign(static_cast<size_t>(image.channels * height * width), 0.0f);
  for (int64_t c = 0; c < image.channels; ++c) {
    for (int64_t y = 0; y < height; ++y) {
      const int64_t sy = top + y;
      if (sy < 0 || sy >= image.height) continue;
      for (int64_t x = 0; x < width; ++x) {
        const int64_t sx = left + x;
        if (sx >= 0 && sx < image.width) out.pixels[static_cast<size_t>((c * height + y) * width + x)] = image.at(c, sy, sx);
      }
    }
  }
  return out;
}

namespace {

// CenterCrop's offset along one side: round half to even; a side shorter than the crop is padded
// with zeros, (size - side) // 2 of them before it, as torchvision pads.
int64_t center_crop_offset(int64_t side, int64_t size) {
  if (side < size) return -((size - side) / 2);
  return python_round(static_cast<double>(side - size) / 2.0);
}

}  // namespace

FloatImage center_crop(const FloatImage& image, int64_t size) {
  return crop(image, center_crop_offset(image.height, size), center_crop_offset(image.width, size), size, size);
}

CropBox random_resized_crop_box(int64_t height, int64_t width, const ImageTransformOptions& t, Generator& rng) {
  const double area = static_cast<double>(height * width);
  const double log_low = std::log(t.ratio_min), log_high = std::log(t.ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * uniform_between(rng, t.scale_min, t.scale_max);
    const double aspect = std::exp(uniform_between(rng, log_low, log_high));
    const int64_t w = python_round(std::sqrt(target_area * aspect));
    const int64_t h = python_round(std::sqrt(target_area / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const auto top = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(height - h + 1)));
      const auto left = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(width - w + 1)));
      return {top, left, h, w};
    }
  }
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < t.ratio_min) h = python_round(static_cast<double>(w) / t.ratio_min);
  else if (in_ratio > t.ratio_max) w = python_round(static_cast<double>(h) * t.ratio_max);
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void adjust_brightness(FloatImage& image, double factor) {
  const auto f = static_cast<float>(factor);
  for (float& p : image.pixels) p = std::clamp(p * f, 0.0f, 1.0f);
}

void adjust_contrast(FloatImage& image, double factor) {
  require_rgb(image, "adjust_contrast");
  const size_t plane = static_cast<size_t>(image.height * image.width);
  double total = 0;
  for (size_t j = 0; j < plane; ++j) total += grey_of(image, j);
  const auto mean = static_cast<float>(total / static_cast<double>(plane));
  const auto f = static_cast<float>(factor);
  for (float& p : image.pixels) p = blend_clamped(p, mean, f);
}

void adjust_saturation(FloatImage& image, double factor) {
  require_rgb(image, "adjust_saturation");
  const size_t plane = static_cast<size_t>(image.height * image.width);
  const auto f = static_cast<float>(factor);
  for (size_t j = 0; j < plane; ++j) {
    const float grey = grey_of(image, j);
    for (size_t c = 0; c < 3; ++c) image.pixels[c * plane + j] = blend_clamped(image.pixels[c * plane + j], grey, f);
  }
}

}  // namespace gaze
