// Batch construction and the transforms, on small images whose every pixel is known.
#include <set>

#include "support/test_support.h"
#include "trainers/lib/data/transforms.h"

using namespace gaze;

namespace {

// Two 1×3×4 images with distinct non-zero pixels (1..12 and 101..112), labels 4 and 7.
ImageSet tiny_set() {
  ImageSet set;
  set.height = 3;
  set.width = 4;
  for (int i = 0; i < 12; ++i) set.pixels.push_back(static_cast<uint8_t>(1 + i));
  for (int i = 0; i < 12; ++i) set.pixels.push_back(static_cast<uint8_t>(101 + i));
  set.labels = {4, 7};
  return set;
}

std::vector<float> unit_pixels(const ImageSet& set, int64_t i) {
  std::vector<float> out;
  for (int64_t j = 0; j < set.image_bytes(); ++j) out.push_back(static_cast<float>(set.image(i)[j]) / 255.0f);
  return out;
}

std::vector<float> batch_values(const ImageSet& set, const std::vector<int64_t>& indices, const TransformOptions& t,
                                bool augment, uint64_t seed) {
  Generator rng(seed);
  return make_batch_images(set, indices, t, augment, rng).to_vector<float>();
}

// The image `in` (h×w) shifted as a padded crop at offset (dy, dx) in [0, 2·pad]: out(y,x) = in(y+dy-pad, x+dx-pad), 0 outside.
std::vector<float> shifted(const std::vector<float>& in, int64_t h, int64_t w, int64_t pad, int64_t dy, int64_t dx) {
  std::vector<float> out(in.size(), 0.0f);
  for (int64_t y = 0; y < h; ++y) {
    for (int64_t x = 0; x < w; ++x) {
      const int64_t sy = y + dy - pad, sx = x + dx - pad;
      if (sy >= 0 && sy < h && sx >= 0 && sx < w) out[static_cast<size_t>(y * w + x)] = in[static_cast<size_t>(sy * w + sx)];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("data: batches are pixels / 255 in [B,C,H,W] with i64 labels in index order") {
  const ImageSet set = tiny_set();
  Generator rng(0);
  Tensor images = make_batch_images(set, {1, 0}, TransformOptions{}, true, rng);
  CHECK(images.shape() == Shape{2, 1, 3, 4});
  CHECK(images.dtype() == DType::f32);
  std::vector<float> expected = unit_pixels(set, 1);
  const std::vector<float> first = unit_pixels(set, 0);
  expected.insert(expected.end(), first.begin(), first.end());
  CHECK(images.to_vector<float>() == expected);
  Tensor labels = make_batch_labels(set, {1, 0, 1});
  CHECK(labels.dtype() == DType::i64);
  CHECK(labels.to_vector<int64_t>() == std::vector<int64_t>{7, 4, 7});
  CHECK_THROWS_WITH_AS(make_batch_labels(set, {2}), "make_batch_labels: index 2 is outside the set of 2 images", Error);
}

TEST_CASE("data: normalize subtracts the mean and divides by the std, per channel") {
  const ImageSet set = tiny_set();
  TransformOptions t;
  t.names = {"normalize"};
  const std::vector<float> out = batch_values(set, {0}, t, false, 0);
  const std::vector<float> unit = unit_pixels(set, 0);
  for (size_t j = 0; j < unit.size(); ++j) CHECK(out[j] == (unit[j] - 0.2860f) / 0.3530f);
  CHECK(out[0] == doctest::Approx((1.0 / 255 - 0.2860) / 0.3530));

  ImageSet two_channels;  // one 2×1×2 image: channel 0 pixels {0, 255}, channel 1 {51, 102}
  two_channels.channels = 2;
  two_channels.height = 1;
  two_channels.width = 2;
  two_channels.pixels = {0, 255, 51, 102};
  two_channels.labels = {0};
  t.mean = {0.5, 0.2};
  t.std = {0.5, 0.1};
  const std::vector<float> per_channel = batch_values(two_channels, {0}, t, false, 0);
  CHECK(per_channel[0] == doctest::Approx(-1.0));
  CHECK(per_channel[1] == doctest::Approx(1.0));
  CHECK(per_channel[2] == doctest::Approx(0.0));
  CHECK(per_channel[3] == doctest::Approx(2.0));
  t.mean = {0.1, 0.2, 0.3};
  CHECK_THROWS_WITH_AS(batch_values(two_channels, {0}, t, false, 0),
                       doctest::Contains("normalize has 3 means and 2 stds for 2-channel images"), Error);
}

TEST_CASE("data: hflip mirrors every row exactly, with the given probability") {
  const ImageSet set = tiny_set();
  TransformOptions t;
  t.names = {"hflip"};
  t.flip_probability = 1.0;
  const std::vector<float> out = batch_values(set, {0}, t, true, 3);
  const std::vector<float> unit = unit_pixels(set, 0);
  for (int64_t y = 0; y < 3; ++y) {
    for (int64_t x = 0; x < 4; ++x) CHECK(out[static_cast<size_t>(y * 4 + x)] == unit[static_cast<size_t>(y * 4 + 3 - x)]);
  }
  t.flip_probability = 0.0;
  CHECK(batch_values(set, {0}, t, true, 3) == unit);
  // p = 0.5: over 400 images some are flipped and some are not, roughly half.
  t.flip_probability = 0.5;
  const std::vector<int64_t> many(400, 0);
  const std::vector<float> batch = batch_values(set, many, t, true, 11);
  int flipped = 0;
  for (size_t k = 0; k < many.size(); ++k) flipped += batch[k * 12] == unit[3] ? 1 : 0;
  CHECK(flipped > 150);
  CHECK(flipped < 250);
}

TEST_CASE("data: random_crop with padding shifts the content by at most the padding, filling with zeros") {
  const ImageSet set = tiny_set();
  TransformOptions t;
  t.names = {"random_crop"};
  t.crop_padding = 1;
  const std::vector<float> unit = unit_pixels(set, 0);
  const std::vector<int64_t> many(200, 0);
  const std::vector<float> batch = batch_values(set, many, t, true, 5);
  std::set<std::pair<int64_t, int64_t>> offsets_seen;
  for (size_t k = 0; k < many.size(); ++k) {
    const std::vector<float> image(batch.begin() + static_cast<std::ptrdiff_t>(k * 12),
                                   batch.begin() + static_cast<std::ptrdiff_t>((k + 1) * 12));
    int matches = 0;
    for (int64_t dy = 0; dy <= 2; ++dy) {
      for (int64_t dx = 0; dx <= 2; ++dx) {
        if (image == shifted(unit, 3, 4, 1, dy, dx)) {
          ++matches;
          offsets_seen.insert({dy, dx});
        }
      }
    }
    CHECK(matches == 1);  // pixels are distinct and non-zero, so one shift explains each crop
  }
  CHECK(offsets_seen.size() == 9);  // every offset in [0, 2]² occurs
  // A shift by the padding into the top-left corner: first row and column are zero.
  const std::vector<float> corner = shifted(unit, 3, 4, 1, 0, 0);
  CHECK(corner[0] == 0.0f);
  CHECK(corner[5] == unit[0]);
}

TEST_CASE("data: evaluation batches are only normalized, and draw nothing from the generator") {
  const ImageSet set = tiny_set();
  TransformOptions all;
  all.names = {"random_crop", "hflip", "normalize"};
  all.flip_probability = 1.0;
  TransformOptions only_normalize;
  only_normalize.names = {"normalize"};
  Generator rng(9);
  const std::vector<float> eval = make_batch_images(set, {0, 1}, all, false, rng).to_vector<float>();
  CHECK(eval == batch_values(set, {0, 1}, only_normalize, false, 0));
  CHECK(rng.next_u64() == Generator(9).next_u64());
  CHECK(batch_values(set, {0, 1}, all, true, 9) != eval);  // flip_probability 1: training batches differ
}

TEST_CASE("data: bad transform options name the valid choices") {
  const ImageSet set = tiny_set();
  TransformOptions t;
  t.names = {"normalize", "rotate"};
  CHECK_THROWS_WITH_AS(validate_transforms(t, 1),
                       "transforms: unknown transform 'rotate'; valid ones: normalize, random_crop, hflip", Error);
  t.names = {"random_crop"};
  t.crop_padding = -1;
  CHECK_THROWS_WITH_AS(validate_transforms(t, 1), "transforms: crop_padding -1 must be >= 0", Error);
  t.crop_padding = 4;
  t.std = {0.0};
  CHECK_THROWS_WITH_AS(validate_transforms(t, 1), "transforms: normalize std 0 must be positive", Error);
}
