// The joint image + label transforms of the segmentation pipeline (mmseg's RandomResize,
// RandomCrop with cat_max_ratio, RandomFlip, Pad) and whole-image inference (whole and sliding
// window): labels stay on their pixels, windows cover the image as mmseg's do, and sliding a
// per-pixel model over an image gives what running it whole gives.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "autograd/grad_mode.h"
#include "layers/conv.h"
#include "trainers/lib/data/segmentation_transforms.h"
#include "trainers/tasks/segmentation_inference.h"

using namespace gaze;

namespace {

// width x height, one channel whose value is 10x + y, labelled x (so a label names its column).
LabelledImage column_labelled_image(int64_t width, int64_t height) {
  LabelledImage s;
  s.width = width, s.height = height, s.channels = 1;
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      s.pixels.push_back(static_cast<uint8_t>(10 * x + y));
      s.labels.push_back(static_cast<uint8_t>(x));
    }
  return s;
}

}  // namespace

TEST_CASE("keep_ratio_size fits an image in [short, long] as mmcv's rescale_size does") {
  CHECK(keep_ratio_size({1024, 2048}, {1024, 2048}).height == 1024);
  // A 500 x 375 VOC image in (2048, 512): the short side bounds it, 512 / 375 = 1.365.
  const Size2 voc = keep_ratio_size({375, 500}, {512, 2048});
  CHECK(voc.height == 512);
  CHECK(voc.width == 683);
  // The order of the scale's sides does not matter.
  CHECK(keep_ratio_size({375, 500}, {2048, 512}).width == 683);
  // A long thin image is bounded by its long side.
  const Size2 thin = keep_ratio_size({100, 1000}, {512, 2048});
  CHECK(thin.width == 2048);
  CHECK(thin.height == 205);
}

TEST_CASE("resize_labelled doubles labels by nearest neighbour and blends the image bilinearly") {
  const LabelledImage s = column_labelled_image(2, 1);
  const LabelledImage up = resize_labelled(s, {1, 4});
  CHECK(up.labels == std::vector<uint8_t>{0, 0, 1, 1});
  // Half-pixel centres: output x maps to (x + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25.
  CHECK(up.pixels == std::vector<uint8_t>{0, 3, 8, 10});
  const LabelledImage down = resize_labelled(column_labelled_image(6, 2), {1, 3});
  CHECK(down.labels == std::vector<uint8_t>{0, 2, 4});
}

TEST_CASE("random_flip mirrors the image and its labels together") {
  LabelledImage s = column_labelled_image(3, 2);
  Generator rng(0);
  random_flip(s, 1.0, rng);
  CHECK(s.labels == std::vector<uint8_t>{2, 1, 0, 2, 1, 0});
  CHECK(s.pixels == std::vector<uint8_t>{20, 10, 0, 21, 11, 1});
  random_flip(s, 0.0, rng);
  CHECK(s.labels == std::vector<uint8_t>{2, 1, 0, 2, 1, 0});
}

TEST_CASE("random_crop keeps pixels and labels aligned and, with cat_max_ratio, avoids crops of one class") {
  const LabelledImage s = column_labelled_image(10, 4);
  Generator rng(5);
  for (int trial = 0; trial < 20; ++trial) {
    const LabelledImage c = random_crop(s, {3, 4}, 1.0, rng);
    REQUIRE(c.height == 3);
    REQUIRE(c.width == 4);
    for (int64_t y = 0; y < 3; ++y)
      for (int64_t x = 0; x < 4; ++x) CHECK(c.pixels[y * 4 + x] == 10 * c.labels[y * 4 + x] + (c.pixels[y * 4] % 10));
  }
  // Labels 0 on the left 9 columns, 1 on the last: a 1-column crop holds one class; cat_max_ratio
  // redraws up to 10 times, so a 2-column crop touching column 9 is found far more often.
  LabelledImage mostly_zero = column_labelled_image(10, 1);
  for (auto& l : mostly_zero.labels) l = l == 9 ? 1 : 0;
  int both = 0;
  Generator draws(1);
  for (int trial = 0; trial < 50; ++trial) {
    const LabelledImage c = random_crop(mostly_zero, {1, 2}, 0.75, draws);
    both += std::set<uint8_t>(c.labels.begin(), c.labels.end()).size() == 2;
  }
  CHECK(both > 25);  // without the check, 1 crop in 9
  // A crop larger than the image is the image.
  CHECK(random_crop(s, {8, 20}, 1.0, rng).labels == s.labels);
}

TEST_CASE("photometric_distortion changes colours but not labels; a grey image stays grey") {
  LabelledImage grey;
  grey.width = 4, grey.height = 1, grey.channels = 3;
  grey.pixels.assign(12, 128);
  grey.labels = {0, 1, 2, 255};
  Generator rng(11);
  int changed = 0;
  for (int trial = 0; trial < 20; ++trial) {
    LabelledImage s = grey;
    photometric_distortion(s, rng);
    CHECK(s.labels == grey.labels);
    for (size_t i = 0; i < s.pixels.size(); i += 3) {
      CHECK(s.pixels[i] == s.pixels[i + 1]);
      CHECK(s.pixels[i] == s.pixels[i + 2]);
    }
    changed += s.pixels != grey.pixels;
  }
  CHECK(changed > 5);
}

TEST_CASE("write_normalized pads the image with 0 and the labels with 255 at the bottom and right") {
  const LabelledImage s = column_labelled_image(2, 1);
  std::vector<float> input(2 * 3);
  std::vector<int64_t> target(2 * 3);
  write_normalized(s, {5.0}, {5.0}, {2, 3}, input.data(), target.data());
  CHECK(input == std::vector<float>{-1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f});
  CHECK(target == std::vector<int64_t>{0, 1, 255, 255, 255, 255});
}

TEST_CASE("slide_windows covers the image as mmseg's slide_inference: a stride grid, the last windows moved back inside") {
  auto tops = [](const std::vector<SlideWindow>& w) {
    std::vector<int64_t> t;
    for (const auto& v : w)
      if (v.left == 0) t.push_back(v.top);
    return t;
  };
  // 10 rows, window 4, stride 3: (10 - 4 + 2) / 3 + 1 = 3 rows of windows at 0, 3, 6; the last ends at 10.
  auto w = slide_windows({10, 4}, {4, 4}, {3, 3});
  CHECK(tops(w) == std::vector<int64_t>{0, 3, 6});
  CHECK(w.back().bottom == 10);
  // 11 rows: 4 rows of windows; the fourth would start at 9 and overhang, so it ends at 11 and starts at 7.
  w = slide_windows({11, 4}, {4, 4}, {3, 3});
  CHECK(tops(w) == std::vector<int64_t>{0, 3, 6, 7});
  CHECK(w.back().bottom == 11);
  // Columns likewise; an image smaller than the window is one window, the image.
  w = slide_windows({3, 11}, {4, 4}, {3, 3});
  REQUIRE(w.size() == 4);
  CHECK(w[3].left == 7);
  CHECK(w[3].right == 11);
  CHECK(w[3].top == 0);
  CHECK(w[3].bottom == 3);
  CHECK_THROWS_AS(slide_windows({10, 10}, {4, 4}, {5, 5}), Error);
}

TEST_CASE("slide_logits of a per-pixel model (a 1x1 convolution) equal its whole-image logits") {
  ConvLayerOptions o;
  o.in_channels = 3;
  o.out_channels = 5;
  o.kernel = {1};
  Conv conv(o);
  NoGradGuard no_grad;
  Generator g(7);
  const Tensor image = randn({1, 3, 13, 17}, DType::f32, &g);
  const std::vector<float> whole = conv.forward(image).to_vector<float>();
  const std::vector<float> slid = slide_logits(conv, image, {6, 8}, {4, 5}).to_vector<float>();
  REQUIRE(slid.size() == whole.size());
  double worst = 0;
  for (size_t i = 0; i < whole.size(); ++i) worst = std::max(worst, std::abs(static_cast<double>(whole[i] - slid[i])));
  CHECK(worst < 1e-5);
  CHECK(resize_logits(conv.forward(image), {26, 34}).size(3) == 34);
}
