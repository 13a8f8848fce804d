#include "trainers/lib/data/segmentation_transforms.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "framework/error.h"
#include "trainers/lib/data/linear_taps.h"

namespace gaze {

namespace {

int64_t draw_integer(Generator& rng, int64_t count) {  // uniform in [0, count)
  return std::min(count - 1, static_cast<int64_t>(rng.uniform() * static_cast<double>(count)));
}


// cv2's INTER_NEAREST: source index floor(i * from / to).
std::vector<int64_t> nearest_taps(int64_t from, int64_t to) {
  std::vector<int64_t> taps(static_cast<size_t>(to));
  for (int64_t i = 0; i < to; ++i) taps[i] = std::min(from - 1, static_cast<int64_t>(std::floor(static_cast<double>(i) * from / to)));
  return taps;
}

double draw_between(Generator& rng, double low, double high) { return low + rng.uniform() * (high - low); }

uint8_t to_byte(double v) { return static_cast<uint8_t>(std::clamp(v, 0.0, 255.0)); }  // truncates, as numpy's astype(uint8)

// cv2's 8-bit RGB <-> HSV: H in [0, 180) (degrees / 2), S and V in [0, 255].
std::array<uint8_t, 3> rgb_to_hsv8(uint8_t r, uint8_t g, uint8_t b) {
  const int v = std::max({r, g, b}), low = std::min({r, g, b}), diff = v - low;
  const double s = v == 0 ? 0.0 : 255.0 * diff / v;
  double h = 0;
  if (diff > 0) {
    if (v == r) h = 60.0 * (g - b) / diff;
    else if (v == g) h = 120.0 + 60.0 * (b - r) / diff;
    else h = 240.0 + 60.0 * (r - g) / diff;
    if (h < 0) h += 360.0;
  }
  return {static_cast<uint8_t>(static_cast<int>(std::lround(h / 2.0)) % 180), static_cast<uint8_t>(std::lround(s)), static_cast<uint8_t>(v)};
}

std::array<uint8_t, 3> hsv8_to_rgb(uint8_t h8, uint8_t s8, uint8_t v8) {
  const double h = h8 * 2.0 / 60.0, s = s8 / 255.0, v = v8;
  const int sector = static_cast<int>(std::floor(h)) % 6;
  const double f = h - std::floor(h), p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
  double r = v, g = t, b = p;
  switch (sector) {
    case 1: r = q, g = v, b = p; break;
    case 2: r = p, g = v, b = t; break;
    case 3: r = p, g = q, b = v; break;
    case 4: r = t, g = p, b = v; break;
    case 5: r = v, g = p, b = q; break;
    default: break;
  }
  return {static_cast<uint8_t>(std::lround(r)), static_cast<uint8_t>(std::lround(g)), static_cast<uint8_t>(std::lround(b))};
}

void scale_and_shift(std::vector<uint8_t>& pixels, double alpha, double beta) {
  for (auto& p : pixels) p = to_byte(p * alpha + beta);
}

// Saturation (channel 1) or hue (channel 0) changed in HSV.
void change_in_hsv(LabelledImage& sample, int channel, double value) {
  for (size_t i = 0; i + 2 < sample.pixels.size(); i += 3) {
    std::array<uint8_t, 3> hsv = rgb_to_hsv8(sample.pixels[i], sample.pixels[i + 1], sample.pixels[i + 2]);
    if (channel == 1) hsv[1] = to_byte(hsv[1] * value);
    else hsv[0] = static_cast<uint8_t>(((hsv[0] + static_cast<int>(value)) % 180 + 180) % 180);
    const std::array<uint8_t, 3> rgb = hsv8_to_rgb(hsv[0], hsv[1], hsv[2]);
    std::copy(rgb.begin(), rgb.end(), sample.pixels.begin() + static_cast<std::ptrdiff_t>(i));
  }
}

}  // namespace

void photometric_distortion(LabelledImage& sample, Generator& rng) {
  if (sample.channels != 3) fail("photometric_distortion: the image needs 3 channels (has {})", sample.channels);
  if (draw_integer(rng, 2)) scale_and_shift(sample.pixels, 1.0, draw_between(rng, -32.0, 32.0));
  const bool contrast_first = draw_integer(rng, 2) == 1;
  auto contrast = [&] {
    if (draw_integer(rng, 2)) scale_and_shift(sample.pixels, draw_between(rng, 0.5, 1.5), 0.0);
  };
  if (contrast_first) contrast();
  if (draw_integer(rng, 2)) change_in_hsv(sample, 1, draw_between(rng, 0.5, 1.5));
  if (draw_integer(rng, 2)) change_in_hsv(sample, 0, static_cast<double>(-18 + draw_integer(rng, 36)));
  if (!contrast_first) contrast();
}

Size2 keep_ratio_size(Size2 image, Size2 scale) {
  const double long_edge = static_cast<double>(std::max(scale.height, scale.width));
  const double short_edge = static_cast<double>(std::min(scale.height, scale.width));
  const double factor = std::min(long_edge / static_cast<double>(std::max(image.height, image.width)),
                                 short_edge / static_cast<double>(std::min(image.height, image.width)));
  return {std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(image.height) * factor + 0.5)),
          std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(image.width) * factor + 0.5))};
}

LabelledImage resize_labelled(const LabelledImage& in, Size2 size) {
  if (size.height < 1 || size.width < 1) fail("resize_labelled: target size {}x{} must be positive", size.height, size.width);
  LabelledImage out;
  out.height = size.height, out.width = size.width, out.channels = in.channels;
  if (size.height == in.height && size.width == in.width) return in;
  out.pixels.resize(static_cast<size_t>(size.height * size.width * in.channels));
  out.labels.resize(static_cast<size_t>(size.height * size.width));
  const auto rows = linear_taps(in.height, size.height), cols = linear_taps(in.width, size.width);
  const auto label_rows = nearest_taps(in.height, size.height), label_cols = nearest_taps(in.width, size.width);
  const int64_t c_count = in.channels;
  for (int64_t y = 0; y < size.height; ++y) {
    const LinearTap r = rows[y];
    for (int64_t x = 0; x < size.width; ++x) {
      const LinearTap c = cols[x];
      for (int64_t ch = 0; ch < c_count; ++ch) {
        auto px = [&](int64_t yy, int64_t xx) { return static_cast<double>(in.pixels[(yy * in.width + xx) * c_count + ch]); };
        const double top = px(r.low, c.low) * (1 - c.weight) + px(r.low, c.high) * c.weight;
        const double bottom = px(r.high, c.low) * (1 - c.weight) + px(r.high, c.high) * c.weight;
        const double v = top * (1 - r.weight) + bottom * r.weight;
        out.pixels[(y * size.width + x) * c_count + ch] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
      out.labels[y * size.width + x] = in.labels[label_rows[y] * in.width + label_cols[x]];
    }
  }
  return out;
}

LabelledImage random_resize(const LabelledImage& in, Size2 scale, double min_ratio, double max_ratio, Generator& rng) {
  const double ratio = min_ratio + rng.uniform() * (max_ratio - min_ratio);
  const Size2 target{static_cast<int64_t>(static_cast<double>(scale.height) * ratio),
                     static_cast<int64_t>(static_cast<double>(scale.width) * ratio)};
  return resize_labelled(in, keep_ratio_size({in.height, in.width}, target));
}

LabelledImage crop_labelled(const LabelledImage& in, int64_t top, int64_t left, Size2 crop) {
  LabelledImage out;
  out.channels = in.channels;
  out.height = std::min(crop.height, in.height - top);
  out.width = std::min(crop.width, in.width - left);
  out.pixels.resize(static_cast<size_t>(out.height * out.width * in.channels));
  out.labels.resize(static_cast<size_t>(out.height * out.width));
  for (int64_t y = 0; y < out.height; ++y) {
    std::copy_n(in.pixels.begin() + ((top + y) * in.width + left) * in.channels, out.width * in.channels,
                out.pixels.begin() + y * out.width * in.channels);
    std::copy_n(in.labels.begin() + (top + y) * in.width + left, out.width, out.labels.begin() + y * out.width);
  }
  return out;
}

LabelledImage random_crop(const LabelledImage& in, Size2 crop, double cat_max_ratio, Generator& rng) {
  auto draw_window = [&]() {
    const int64_t top = draw_integer(rng, std::max<int64_t>(in.height - crop.height, 0) + 1);
    const int64_t left = draw_integer(rng, std::max<int64_t>(in.width - crop.width, 0) + 1);
    return std::pair{top, left};
  };
  auto [top, left] = draw_window();
  if (cat_max_ratio < 1.0) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      std::map<uint8_t, int64_t> counts;
      const int64_t rows = std::min(crop.height, in.height - top), cols = std::min(crop.width, in.width - left);
      for (int64_t y = 0; y < rows; ++y)
        for (int64_t x = 0; x < cols; ++x) ++counts[in.labels[(top + y) * in.width + left + x]];
      counts.erase(255);
      int64_t most = 0, total = 0;
      for (const auto& [label, count] : counts) most = std::max(most, count), total += count;
      if (counts.size() > 1 && static_cast<double>(most) / static_cast<double>(total) < cat_max_ratio) break;
      std::tie(top, left) = draw_window();
    }
  }
  return crop_labelled(in, top, left, crop);
}

void random_flip(LabelledImage& sample, double probability, Generator& rng) {
  if (rng.uniform() >= probability) return;
  const int64_t c = sample.channels;
  for (int64_t y = 0; y < sample.height; ++y)
    for (int64_t x = 0; x < sample.width / 2; ++x) {
      const int64_t mirror = sample.width - 1 - x;
      std::swap(sample.labels[y * sample.width + x], sample.labels[y * sample.width + mirror]);
      for (int64_t ch = 0; ch < c; ++ch)
        std::swap(sample.pixels[(y * sample.width + x) * c + ch], sample.pixels[(y * sample.width + mirror) * c + ch]);
    }
}

void write_normalized(const LabelledImage& sample, const std::vector<double>& mean, const std::vector<double>& std, Size2 out,
                      float* input, int64_t* target) {
  if (out.height < sample.height || out.width < sample.width)
    fail("write_normalized: the padded size {}x{} is smaller than the image ({}x{})", out.height, out.width, sample.height, sample.width);
  if (static_cast<int64_t>(mean.size()) != sample.channels || static_cast<int64_t>(std.size()) != sample.channels)
    fail("write_normalized: {} channels need {} means and stds (got {} and {})", sample.channels, sample.channels, mean.size(), std.size());
  const int64_t plane = out.height * out.width;
  std::fill(input, input + plane * sample.channels, 0.0f);
  std::fill(target, target + plane, 255);
  for (int64_t y = 0; y < sample.height; ++y)
    for (int64_t x = 0; x < sample.width; ++x) {
      for (int64_t ch = 0; ch < sample.channels; ++ch)
        input[ch * plane + y * out.width + x] =
            static_cast<float>((sample.pixels[(y * sample.width + x) * sample.channels + ch] - mean[ch]) / std[ch]);
      target[y * out.width + x] = sample.labels[y * sample.width + x];
    }
}

}  // namespace gaze
