#include "trainers/datasets/item_sprites.h"

#include <algorithm>
#include <cmath>

#include "framework/error.h"

namespace gaze {

namespace {

// Row k of the result holds the weights of the source samples feeding target sample k, with the
// first source index in `first`; weights sum to one.
struct FilterTaps {
  std::vector<int64_t> first, count;
  std::vector<float> weights;  // out × width, zero-padded
  int64_t width = 0;
};

FilterTaps filter_taps(int64_t in, int64_t out) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double support = std::max(1.0, scale);  // in source pixels, each side of the centre
  FilterTaps taps;
  taps.width = static_cast<int64_t>(std::ceil(support)) * 2 + 3;  // covers [floor(c - s), ceil(c + s))
  taps.first.resize(static_cast<size_t>(out));
  taps.count.resize(static_cast<size_t>(out));
  taps.weights.assign(static_cast<size_t>(out * taps.width), 0.0f);
  for (int64_t o = 0; o < out; ++o) {
    const double centre = (static_cast<double>(o) + 0.5) * scale;  // in source coordinates
    const auto lo = std::max<int64_t>(0, static_cast<int64_t>(std::floor(centre - support)));
    const auto hi = std::min<int64_t>(in, static_cast<int64_t>(std::ceil(centre + support)));
    double total = 0.0;
    std::vector<double> w;
    for (int64_t s = lo; s < hi; ++s) {
      const double d = std::abs((static_cast<double>(s) + 0.5 - centre) / support);
      w.push_back(std::max(0.0, 1.0 - d));
      total += w.back();
    }
    taps.first[static_cast<size_t>(o)] = lo;
    taps.count[static_cast<size_t>(o)] = std::min(static_cast<int64_t>(w.size()), taps.width);
    for (size_t k = 0; k < w.size() && static_cast<int64_t>(k) < taps.width; ++k)
      taps.weights[static_cast<size_t>(o * taps.width) + k] = static_cast<float>(total > 0 ? w[k] / total : 0.0);
  }
  return taps;
}

}  // namespace

void check_item_set(const char* what, const ImageSet& items) {
  if (items.size() == 0)
    fail("{}: the ImageSet of items is empty; pass Fashion-MNIST's images, e.g. load_fashion_mnist(root, \"train\") "
         "for a training set and \"test\" for a test set",
         what);
  if (items.channels != 1 || items.height < 8 || items.width < 8)
    fail("{}: items are {}×{}×{}; the generators draw single-channel item images of at least 8×8 (Fashion-MNIST is "
         "1×28×28)",
         what, items.channels, items.height, items.width);
  if (items.pixels.size() != static_cast<size_t>(items.size() * items.image_bytes()))
    fail("{}: the ImageSet's {} labels need {} pixel bytes, it holds {}", what, items.size(),
         items.size() * items.image_bytes(), items.pixels.size());
  for (int64_t label : items.labels)
    if (label < 0 || label > 9)
      fail("{}: item label {} is not a Fashion-MNIST class (0..9); the generators label by those classes", what, label);
}

std::vector<float> resize_item(const ImageSet& items, int64_t index, int64_t out_height, int64_t out_width) {
  // Cached per thread: the taps depend only on the sizes, and a clip resizes every frame alike.
  thread_local int64_t cached_in_h = -1, cached_in_w = -1, cached_out_h = -1, cached_out_w = -1;
  thread_local FilterTaps rows, cols;
  if (cached_in_h != items.height || cached_out_h != out_height) {
    rows = filter_taps(items.height, out_height);
    cached_in_h = items.height;
    cached_out_h = out_height;
  }
  if (cached_in_w != items.width || cached_out_w != out_width) {
    cols = filter_taps(items.width, out_width);
    cached_in_w = items.width;
    cached_out_w = out_width;
  }
  const uint8_t* source = items.image(index);
  // Columns first (height × out_width), then rows.
  std::vector<float> wide(static_cast<size_t>(items.height * out_width));
  for (int64_t y = 0; y < items.height; ++y) {
    const uint8_t* row = source + y * items.width;
    for (int64_t x = 0; x < out_width; ++x) {
      const float* w = cols.weights.data() + x * cols.width;
      const int64_t first = cols.first[static_cast<size_t>(x)], count = cols.count[static_cast<size_t>(x)];
      float sum = 0.0f;
      for (int64_t k = 0; k < count; ++k) sum += w[k] * static_cast<float>(row[first + k]);
      wide[static_cast<size_t>(y * out_width + x)] = sum;
    }
  }
  std::vector<float> out(static_cast<size_t>(out_height * out_width));
  for (int64_t y = 0; y < out_height; ++y) {
    const float* w = rows.weights.data() + y * rows.width;
    const int64_t first = rows.first[static_cast<size_t>(y)], count = rows.count[static_cast<size_t>(y)];
    for (int64_t x = 0; x < out_width; ++x) {
      float sum = 0.0f;
      for (int64_t k = 0; k < count; ++k) sum += w[k] * wide[static_cast<size_t>((first + k) * out_width + x)];
      out[static_cast<size_t>(y * out_width + x)] = std::clamp(sum / 255.0f, 0.0f, 1.0f);
    }
  }
  return out;
}

uint64_t item_fingerprint(const ImageSet& items, int64_t index) {
  uint64_t h = 0xcbf29ce484222325ull;
  const uint8_t* p = items.image(index);
  for (int64_t j = 0; j < items.image_bytes(); ++j) h = (h ^ p[j]) * 0x100000001b3ull;
  return h;
}

}  // namespace gaze
