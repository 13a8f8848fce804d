// Fashion-MNIST loading (the real files of Debian's dataset-fashion-mnist, and small fakes for the
// error cases) and the seeded train/validation split.
#include <algorithm>
#include <filesystem>
#include <numeric>
#include <set>

#include "support/fashion_mnist.h"
#include "support/idx_files.h"
#include "support/test_support.h"
#include "trainers/lib/data/image_set.h"

using namespace gaze;
using gaze::test::fashion;
using gaze::test::kFashionRoot;

namespace {


int64_t pixel_sum(const ImageSet& set, int64_t i) {
  return std::accumulate(set.image(i), set.image(i) + set.image_bytes(), int64_t{0});
}

int64_t weighted_pixel_sum(const ImageSet& set, int64_t i) {
  int64_t sum = 0;
  for (int64_t j = 0; j < set.image_bytes(); ++j) sum += (j + 1) * set.image(i)[j];
  return sum;
}

// n images of 1×1×2 whose pixels encode their index, labelled index % 10: identity survives subsets.
ImageSet numbered_set(int64_t n) {
  ImageSet set;
  set.height = 1;
  set.width = 2;
  for (int64_t i = 0; i < n; ++i) {
    set.pixels.push_back(static_cast<uint8_t>(i / 256));
    set.pixels.push_back(static_cast<uint8_t>(i % 256));
    set.labels.push_back(i % 10);
  }
  return set;
}

std::vector<int64_t> numbers_of(const ImageSet& set) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < set.size(); ++i) out.push_back(set.image(i)[0] * 256 + set.image(i)[1]);
  return out;
}

}  // namespace

TEST_CASE("data: Fashion-MNIST train and test load with their sizes, first labels and pixels") {
  const ImageSet& train = fashion("train");
  CHECK(train.size() == 60000);
  CHECK(train.channels == 1);
  CHECK(train.height == 28);
  CHECK(train.width == 28);
  CHECK(train.pixels.size() == 60000u * 28 * 28);
  CHECK(train.labels[0] == 9);
  CHECK(train.class_names[static_cast<size_t>(train.labels[0])] == "Ankle boot");
  CHECK(train.class_names.size() == 10);
  CHECK(train.class_names[0] == "T-shirt/top");
  // Computed independently with python3: gzip.open(...).read()[16:16+784], sum and Σ(j+1)·p[j].
  CHECK(pixel_sum(train, 0) == 76247);
  CHECK(weighted_pixel_sum(train, 0) == 35954273);
  CHECK(std::vector<int64_t>(train.labels.begin(), train.labels.begin() + 6) == std::vector<int64_t>{9, 0, 0, 3, 0, 2});

  const ImageSet& test = fashion("test");
  CHECK(test.size() == 10000);
  CHECK(std::vector<int64_t>(test.labels.begin(), test.labels.begin() + 5) == std::vector<int64_t>{9, 2, 1, 1, 6});
  CHECK(pixel_sum(test, 0) == 33456);
}

TEST_CASE("data: a Fashion-MNIST root of plain files loads like one of .gz files") {
  test::TempDir dir("data_fashion_plain");
  test::write_fashion_root(dir, "t10k", 3, 2, 2, {1, 2, 3});
  ImageSet set = load_fashion_mnist(dir.path.string(), "test");
  CHECK(set.size() == 3);
  CHECK(set.labels == std::vector<int64_t>{1, 2, 3});
  CHECK(set.image(2)[3] == static_cast<uint8_t>(11 * 7));
}

TEST_CASE("data: image and label counts must match, and labels must be Fashion-MNIST's ten") {
  test::TempDir dir("data_fashion_bad");
  test::write_fashion_root(dir, "train", 3, 2, 2, {1, 2});
  CHECK_THROWS_WITH_AS(load_fashion_mnist(dir.path.string(), "train"),
                       doctest::Contains(("holds 3 images but " + (dir / "train-labels-idx1-ubyte") + " holds 2 labels").c_str()),
                       Error);
  test::write_fashion_root(dir, "train", 3, 2, 2, {1, 10, 2});
  CHECK_THROWS_WITH_AS(load_fashion_mnist(dir.path.string(), "train"),
                       doctest::Contains(((dir / "train-labels-idx1-ubyte") + ": label 10 of image 1 is outside [0, 10)").c_str()),
                       Error);
  // Labels where the images should be: the magic number's rank gives it away, before any size.
  dir.write("train-images-idx3-ubyte", test::idx_bytes({3}, {1, 2, 3}));
  CHECK_THROWS_WITH_AS(load_fashion_mnist(dir.path.string(), "train"),
                       doctest::Contains("train-images-idx3-ubyte: not an IDX file of images (N×H×W): magic number is 0x00000801 (rank 1), "
                                         "expected 0x00000803 (rank 3)"),
                       Error);
  CHECK_THROWS_WITH_AS(load_fashion_mnist(dir.path.string(), "validation"),
                       "Fashion-MNIST: unknown split 'validation'; valid splits: train, test", Error);
}

TEST_CASE("data: a missing Fashion-MNIST root names the file and both fixes") {
  CHECK_THROWS_WITH_AS(load_fashion_mnist("/nonexistent/fmnist", "train"),
                       doctest::Contains("/nonexistent/fmnist/train-images-idx3-ubyte not found, nor "
                                         "/nonexistent/fmnist/train-images-idx3-ubyte.gz (the folder /nonexistent/fmnist "
                                         "does not exist); install the Debian package with `apt-get install "
                                         "dataset-fashion-mnist`"),
                       Error);
  CHECK_THROWS_WITH_AS(load_fashion_mnist("/nonexistent/fmnist", "train"), doctest::Contains("set data.root"), Error);
}

TEST_CASE("data: split_train_val is disjoint, sized by round(fraction × N) and fixed by its seed") {
  const ImageSet set = numbered_set(1000);
  auto [train, val] = split_train_val(set, 0.1, 42);
  CHECK(val.size() == 100);
  CHECK(train.size() == 900);
  std::vector<int64_t> all = numbers_of(train);
  const std::vector<int64_t> val_numbers = numbers_of(val);
  all.insert(all.end(), val_numbers.begin(), val_numbers.end());
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(all == expected);  // each image in exactly one part
  for (int64_t i = 0; i < val.size(); ++i) CHECK(val.labels[static_cast<size_t>(i)] == val_numbers[static_cast<size_t>(i)] % 10);
  CHECK(std::is_sorted(val_numbers.begin(), val_numbers.end()));

  CHECK(numbers_of(split_train_val(set, 0.1, 42).second) == val_numbers);  // same seed, same split
  CHECK(numbers_of(split_train_val(set, 0.1, 43).second) != val_numbers);
  CHECK(split_train_val(numbered_set(10), 0.25, 0).second.size() == 3);  // round(2.5) = 3
  CHECK(split_train_val(set, 0.0, 0).second.size() == 0);
  CHECK_THROWS_WITH_AS(split_train_val(set, 1.0, 0), doctest::Contains("val_fraction 1 must be in [0, 1)"), Error);
}

TEST_CASE("data: the real train set splits into 54000 and 6000 with the labels kept") {
  auto [train, val] = split_train_val(fashion("train"), 0.1, 7);
  CHECK(train.size() == 54000);
  CHECK(val.size() == 6000);
  CHECK(train.class_names == fashion("train").class_names);
  CHECK(train.pixels.size() == 54000u * 784);
}
