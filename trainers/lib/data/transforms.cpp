#include "trainers/lib/data/transforms.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "framework/error.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

enum class Kind { normalize, random_crop, hflip };

std::vector<Kind> parse_kinds(const std::vector<std::string>& names) {
  std::vector<Kind> kinds;
  for (const std::string& name : names) {
    if (name == "normalize") kinds.push_back(Kind::normalize);
    else if (name == "random_crop") kinds.push_back(Kind::random_crop);
    else if (name == "hflip") kinds.push_back(Kind::hflip);
    else fail("transforms: unknown transform '{}'; valid ones: {}", name, fmt::join(transform_names(), ", "));
  }
  return kinds;
}

// pixel / 255 for every byte value: exactly torchvision's ToTensor (a float division), looked up.
const std::array<float, 256>& byte_to_unit() {
  static const std::array<float, 256> table = [] {
    std::array<float, 256> t{};
    for (int v = 0; v < 256; ++v) t[static_cast<size_t>(v)] = static_cast<float>(v) / 255.0f;
    return t;
  }();
  return table;
}

// (x - mean) / std per channel, in float like torchvision's Normalize.
void normalize(float* image, int64_t channels, int64_t plane, const TransformOptions& t) {
  for (int64_t c = 0; c < channels; ++c) {
    const size_t k = t.mean.size() == 1 ? 0 : static_cast<size_t>(c);
    const auto mean = static_cast<float>(t.mean[k]);
    const auto std = static_cast<float>(t.std[k]);
    float* p = image + c * plane;
    for (int64_t j = 0; j < plane; ++j) p[j] = (p[j] - mean) / std;
  }
}

// Zero-pad by `pad` on every side, then take the H×W window at (dy, dx) of the padded image:
// output (y, x) is input (y + dy - pad, x + dx - pad), or 0 outside the input.
void shift_with_zero_fill(float* image, float* scratch, int64_t channels, int64_t height, int64_t width, int64_t pad,
                          int64_t dy, int64_t dx) {
  const int64_t plane = height * width;
  std::copy_n(image, channels * plane, scratch);
  const int64_t x_lo = std::max<int64_t>(0, pad - dx);
  const int64_t x_hi = std::min<int64_t>(width, width + pad - dx);
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t y = 0; y < height; ++y) {
      float* row = image + c * plane + y * width;
      const int64_t sy = y + dy - pad;
      if (sy < 0 || sy >= height || x_lo >= x_hi) {
        std::fill_n(row, width, 0.0f);
        continue;
      }
      const float* source = scratch + c * plane + sy * width + (dx - pad);
      std::fill(row, row + x_lo, 0.0f);
      std::copy(source + x_lo, source + x_hi, row + x_lo);
      std::fill(row + x_hi, row + width, 0.0f);
    }
  }
}

void mirror_rows(float* image, int64_t rows, int64_t width) {
  for (int64_t r = 0; r < rows; ++r) std::reverse(image + r * width, image + (r + 1) * width);
}

// Also checks the set is whole: a pixel buffer shorter than its labels promise would be read out of bounds.
void check_indices(const char* what, const ImageSet& set, const std::vector<int64_t>& indices) {
  const auto needed = static_cast<size_t>(set.size() * set.image_bytes());
  if (set.pixels.size() != needed) {
    fail("{}: the set's {} images of {}×{}×{} need {} pixel bytes, it holds {}", what, set.size(), set.channels,
         set.height, set.width, needed, set.pixels.size());
  }
  if (indices.empty()) fail("{}: no indices: a batch needs at least one image", what);
  for (int64_t i : indices) {
    if (i < 0 || i >= set.size()) fail("{}: index {} is outside the set of {} images", what, i, set.size());
  }
}

}  // namespace

const std::vector<std::string>& transform_names() {
  static const std::vector<std::string> names{"normalize", "random_crop", "hflip"};
  return names;
}

void validate_transforms(const TransformOptions& t, int64_t channels) {
  parse_kinds(t.names);
  const auto per_channel = [&](const std::vector<double>& v) {
    return v.size() == 1 || static_cast<int64_t>(v.size()) == channels;
  };
  if (!per_channel(t.mean) || !per_channel(t.std)) {
    fail("transforms: normalize has {} means and {} stds for {}-channel images; give one per channel, or one for all",
         t.mean.size(), t.std.size(), channels);
  }
  for (double s : t.std) {
    if (!(s > 0.0)) fail("transforms: normalize std {} must be positive", s);
  }
  if (t.crop_padding < 0) fail("transforms: crop_padding {} must be >= 0", t.crop_padding);
  if (!(t.flip_probability >= 0.0 && t.flip_probability <= 1.0)) {
    fail("transforms: flip_probability {} must be in [0, 1]", t.flip_probability);
  }
}

void transform_image(const ImageSet& set, int64_t index, const TransformOptions& t, bool augment, Generator& rng, float* out) {
  const std::vector<Kind> kinds = parse_kinds(t.names);
  const int64_t plane = set.height * set.width;
  const int64_t per_image = set.channels * plane;
  thread_local std::vector<float> scratch;  // for the crop's copy; the loader's thread and the trainer's each have one
  scratch.resize(static_cast<size_t>(per_image));
  const auto& unit = byte_to_unit();
  const uint64_t crop_choices = static_cast<uint64_t>(2 * t.crop_padding + 1);
  const uint8_t* source = set.image(index);
  for (int64_t j = 0; j < per_image; ++j) out[j] = unit[source[j]];
  for (Kind kind : kinds) {
    if (kind == Kind::normalize) {
      normalize(out, set.channels, plane, t);
    } else if (kind == Kind::random_crop && augment) {
      // Like torchvision's RandomCrop(padding=p): the window's corner is uniform in [0, 2p]².
      const auto dy = static_cast<int64_t>(uniform_below(rng, crop_choices));
      const auto dx = static_cast<int64_t>(uniform_below(rng, crop_choices));
      shift_with_zero_fill(out, scratch.data(), set.channels, set.height, set.width, t.crop_padding, dy, dx);
    } else if (kind == Kind::hflip && augment) {
      if (rng.uniform() < t.flip_probability) mirror_rows(out, set.channels * set.height, set.width);
    }
  }
}

Tensor make_batch_images(const ImageSet& set, const std::vector<int64_t>& indices, const TransformOptions& t,
                         bool augment, Generator& rng) {
  validate_transforms(t, set.channels);
  check_indices("make_batch_images", set, indices);
  const int64_t batch = static_cast<int64_t>(indices.size());
  const int64_t per_image = set.image_bytes();
  Tensor images = empty({batch, set.channels, set.height, set.width}, DType::f32);
  float* out = images.data<float>();
  for (int64_t k = 0; k < batch; ++k) transform_image(set, indices[static_cast<size_t>(k)], t, augment, rng, out + k * per_image);
  return images;
}

Tensor make_batch_labels(const ImageSet& set, const std::vector<int64_t>& indices) {
  check_indices("make_batch_labels", set, indices);
  Tensor labels = empty({static_cast<int64_t>(indices.size())}, DType::i64);
  int64_t* out = labels.data<int64_t>();
  for (size_t k = 0; k < indices.size(); ++k) out[k] = set.labels[static_cast<size_t>(indices[k])];
  return labels;
}

}  // namespace gaze
