// Image classification data: CIFAR-10's binary batches and ImageFolder trees, built here on the
// fly, read back with their labels; each malformed tree is one error naming the file; the
// torchvision transforms against values worked out by hand; the loader's batches the same with
// one worker or three; and one tiny training run on a generated ImageFolder tree.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <stb_image_write.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/app/trainer.h"
#include "trainers/datasets/cifar10.h"
#include "trainers/datasets/image_folder.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/data/image_transforms.h"
#include "trainers/lib/data/loader.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/tasks/task.h"

using namespace gaze;
using gaze::test::has;
using gaze::test::fastest_backend;
using gaze::test::ScopedBackend;
using gaze::test::TempDir;
namespace fs = std::filesystem;

namespace {

// A CIFAR-10 batch file of `labels.size()` records; record r's pixels are all (r + label) % 256.
void write_cifar_batch(const std::string& path, const std::vector<uint8_t>& labels) {
  std::ofstream out(path, std::ios::binary);
  for (size_t r = 0; r < labels.size(); ++r) {
    out.put(static_cast<char>(labels[r]));
    const std::string pixels(3072, static_cast<char>((r + labels[r]) % 256));
    out.write(pixels.data(), static_cast<std::streamsize>(pixels.size()));
  }
}

void write_cifar_tree(const fs::path& folder) {
  fs::create_directories(folder);
  for (int b = 1; b <= 5; ++b) write_cifar_batch((folder / fmt::format("data_batch_{}.bin", b)).string(), {static_cast<uint8_t>(b), 9});
  write_cifar_batch((folder / "test_batch.bin").string(), {3, 0, 7});
}

// A width x height RGB picture, pixel (y, x) = (value, 8x, 8y).
void write_picture(const fs::path& path, int width, int height, uint8_t value) {
  fs::create_directories(path.parent_path());
  std::vector<uint8_t> rgb;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      rgb.push_back(value);
      rgb.push_back(static_cast<uint8_t>(8 * x));
      rgb.push_back(static_cast<uint8_t>(8 * y));
    }
  const std::string ext = path.extension().string();
  if (ext == ".png" || ext == ".PNG") REQUIRE(stbi_write_png(path.string().c_str(), width, height, 3, rgb.data(), width * 3));
  else if (ext == ".bmp") REQUIRE(stbi_write_bmp(path.string().c_str(), width, height, 3, rgb.data()));
  else REQUIRE(stbi_write_jpg(path.string().c_str(), width, height, 3, rgb.data(), 95));
}

// train/ and val/ with classes "cat" and "dog" (sizes and formats mixed), files out of order.
void write_small_tree(const fs::path& root) {
  write_picture(root / "train/dog/b.png", 12, 10, 200);
  write_picture(root / "train/dog/a.JPG", 10, 14, 210);
  write_picture(root / "train/cat/z.bmp", 16, 16, 10);
  write_picture(root / "train/cat/sub/y.jpeg", 9, 9, 20);
  write_picture(root / "train/cat/m.png", 11, 13, 30);
  std::ofstream(root / "train/cat/notes.txt") << "not an image";
  write_picture(root / "val/cat/v.png", 10, 10, 40);
  write_picture(root / "val/dog/w.png", 10, 10, 220);
}

std::vector<std::string> names_of(const ImageFolderIndex& index) {
  std::vector<std::string> names;
  for (const auto& f : index.files) names.push_back(fs::relative(f, index.folder).generic_string());
  return names;
}

FloatImage ramp(int64_t channels, int64_t height, int64_t width) {
  FloatImage image{channels, height, width, {}};
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x) image.pixels.push_back(static_cast<float>(100 * c + 10 * y + x));
  return image;
}

}  // namespace

TEST_CASE("cifar10: the binary batches read as 3x32x32 images with their labels, train from the five batches, test from test_batch") {
  TempDir dir("cifar10");
  write_cifar_tree(dir.path / "cifar-10-batches-bin");
  const ImageSet train = load_cifar10(dir.path.string(), "train");  // the folder holding cifar-10-batches-bin
  CHECK(train.size() == 10);
  CHECK(train.channels == 3);
  CHECK(train.height == 32);
  CHECK(train.labels == std::vector<int64_t>{1, 9, 2, 9, 3, 9, 4, 9, 5, 9});
  CHECK(train.image(3)[0] == (1 + 9) % 256);  // batch 2's record 1
  CHECK(train.image(3)[3071] == 10);
  CHECK(train.class_names[0] == "airplane");
  const ImageSet test = load_cifar10((dir.path / "cifar-10-batches-bin").string(), "test");  // or the folder itself
  CHECK(test.labels == std::vector<int64_t>{3, 0, 7});
  CHECK(test.image(2)[100] == 9);
}

TEST_CASE("cifar10: a truncated batch, a label above 9 and a missing batch are each one error naming the file") {
  TempDir dir("cifar10_bad");
  write_cifar_tree(dir.path);
  fs::resize_file(dir.path / "data_batch_3.bin", 3073 + 100);
  CHECK_THROWS_WITH_AS(load_cifar10(dir.path.string(), "train"), has("data_batch_3.bin: 3173 bytes is not a whole number of 3073-byte records"),
                       Error);
  write_cifar_batch((dir.path / "test_batch.bin").string(), {1, 2, 10});
  CHECK_THROWS_WITH_AS(load_cifar10(dir.path.string(), "test"), has("test_batch.bin: record 2 has label 10"), Error);
  fs::remove(dir.path / "data_batch_5.bin");
  write_cifar_batch((dir.path / "data_batch_3.bin").string(), {1});
  CHECK_THROWS_WITH_AS(load_cifar10(dir.path.string(), "train"), has("data_batch_5.bin: missing"), Error);
  CHECK_THROWS_WITH_AS(load_cifar10((dir.path / "nowhere").string(), "train"), has("neither test_batch.bin nor a cifar-10-batches-bin"), Error);
}

TEST_CASE("imagefolder: classes are the sorted folder names, files the sorted images of each (any case, subfolders), others ignored") {
  TempDir dir("imagefolder");
  write_small_tree(dir.path);
  const ImageFolderIndex index = scan_image_folder((dir.path / "train").string());
  CHECK(index.class_names == std::vector<std::string>{"cat", "dog"});
  CHECK(names_of(index) == std::vector<std::string>{"cat/m.png", "cat/z.bmp", "cat/sub/y.jpeg", "dog/a.JPG", "dog/b.png"});
  CHECK(index.labels == std::vector<int64_t>{0, 0, 0, 1, 1});
  CHECK(has_image_extension("x.JpEg"));
  CHECK_FALSE(has_image_extension("x.gif"));

  const ImageFolderSplits splits = scan_image_folder_splits(dir.path.string());
  CHECK(splits.test_is_val);  // no test/: the val split is the test split too
  CHECK(names_of(splits.test) == std::vector<std::string>{"cat/v.png", "dog/w.png"});
}

TEST_CASE("imagefolder: an empty class folder, a split without classes, other classes in val and an unreadable image are one error each") {
  TempDir dir("imagefolder_bad");
  write_small_tree(dir.path);
  fs::create_directories(dir.path / "train/emu");
  std::ofstream(dir.path / "train/emu/readme.txt") << "x";
  CHECK_THROWS_WITH_AS(scan_image_folder((dir.path / "train").string()), has("the class folder(s) emu hold no .png, .jpg, .jpeg or .bmp image"),
                       Error);
  fs::remove_all(dir.path / "train/emu");
  fs::create_directories(dir.path / "test");
  CHECK_THROWS_WITH_AS(scan_image_folder_splits(dir.path.string()), has("test has no class folders"), Error);
  fs::remove_all(dir.path / "test");
  write_picture(dir.path / "val/eel/e.png", 4, 4, 1);
  CHECK_THROWS_WITH_AS(scan_image_folder_splits(dir.path.string()), has("not in train: [eel]"), Error);
  fs::remove_all(dir.path / "val/eel");

  std::ofstream(dir.path / "train/dog/broken.jpg") << "not a jpeg";
  ImageTransformOptions eval;
  eval.names = {"resize", "center_crop"};
  eval.size = 8;
  eval.resize = 8;
  ImageTransformOptions train = eval;
  train.names = {"random_resized_crop", "hflip", "normalize"};
  const ImageFolderSource source(scan_image_folder((dir.path / "train").string()), train, eval);
  std::vector<float> input(3 * 8 * 8);
  int64_t target = -1;
  // dog/a.JPG, dog/b.png, dog/broken.jpg ('.' sorts before 'r') after the three cats.
  CHECK_THROWS_WITH_AS(source.example(5, nullptr, input.data(), &target), has("broken.jpg: cannot decode the image"), Error);
  source.example(4, nullptr, input.data(), &target);
  CHECK(target == 1);
}

TEST_CASE("imagefolder: examples decode as RGB and leave the transforms at the crop size") {
  TempDir dir("imagefolder_example");
  write_small_tree(dir.path);
  ImageTransformOptions eval;
  eval.names = {"resize", "center_crop"};
  eval.size = 6;
  eval.resize = 6;
  ImageTransformOptions train = eval;
  train.names = {"random_resized_crop", "color_jitter", "hflip", "normalize"};
  const ImageFolderSource source(scan_image_folder((dir.path / "train").string()), train, eval);
  CHECK(source.input_shape() == Shape{3, 6, 6});
  std::vector<float> input(3 * 6 * 6);
  int64_t target = -1;
  source.example(1, nullptr, input.data(), &target);  // z.bmp, 16x16: resized to 6x6, red plane all 10/255
  CHECK(target == 0);
  CHECK(input[0] == doctest::Approx(10.0 / 255));
  CHECK(input[35] == doctest::Approx(10.0 / 255));
  Generator a(3), b(3);
  std::vector<float> first(input.size()), second(input.size());
  source.example(4, &a, first.data(), &target);
  source.example(4, &b, second.data(), &target);
  CHECK(first == second);  // the same stream, the same augmentation

  train.names = {"resize", "normalize"};
  CHECK_THROWS_WITH_AS(ImageFolderSource(scan_image_folder((dir.path / "train").string()), train, eval),
                       has("data.transforms: [resize, normalize] leaves images at their own sizes"), Error);
  train.names = {"random_resized_crop", "random_crop"};
  CHECK_THROWS_WITH_AS(ImageFolderSource(scan_image_folder((dir.path / "train").string()), train, eval),
                       has("'random_crop' is not a transform of decoded images"), Error);
}

TEST_CASE("transforms: bilinear resize of a ramp matches half-pixel sampling worked out by hand") {
  // A 1x1x4 ramp 0, 1, 2, 3 to width 2: sources 0.5 and 2.5, so 0.5 and 2.5.
  FloatImage row = ramp(1, 1, 4);
  FloatImage half = resize_bilinear(row, 1, 2);
  CHECK(half.pixels == std::vector<float>{0.5f, 2.5f});
  // To width 8: sources (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, ..., 3.25 (clamped to the last pixel).
  FloatImage doubled = resize_bilinear(row, 1, 8);
  CHECK(doubled.pixels == std::vector<float>{0.0f, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3.0f});
  // Rows and columns at once: 2x2 [[0, 1], [10, 11]] to 4x4, pixel (1, 2) samples (0.25, 0.75): 10 * 0.25 + 0.75.
  FloatImage square = resize_bilinear(ramp(1, 2, 2), 4, 4);
  CHECK(square.at(0, 1, 2) == doctest::Approx(3.25));
  CHECK(square.at(0, 3, 3) == doctest::Approx(11));
  // Resize(4) of a 6 (high) x 10 (wide) image: the shorter side 4, the longer int(4 * 10 / 6) = 6.
  FloatImage wide = resize_shorter_side(ramp(3, 6, 10), 4);
  CHECK(wide.height == 4);
  CHECK(wide.width == 6);
  CHECK(wide.channels == 3);
}

TEST_CASE("transforms: center crop takes torchvision's window (round half to even) and pads a small image with zeros") {
  // 7 high, 8 wide, crop 4: top = round(1.5) = 2, left = round(2.0) = 2.
  FloatImage cropped = center_crop(ramp(1, 7, 8), 4);
  CHECK(cropped.at(0, 0, 0) == 22);
  CHECK(cropped.at(0, 3, 3) == 55);
  // 5 high, 5 wide, crop 2: top = left = round(1.5) = 2.
  CHECK(center_crop(ramp(1, 5, 5), 2).at(0, 0, 0) == 22);
  // 3x3 into 6: (6 - 3) // 2 = 1 zero row and column before it.
  FloatImage padded = center_crop(ramp(1, 3, 3), 6);
  CHECK(padded.at(0, 0, 0) == 0);
  CHECK(padded.at(0, 1, 1) == 0);   // the image's (0, 0), which is 0 too
  CHECK(padded.at(0, 1, 2) == 1);
  CHECK(padded.at(0, 3, 3) == 22);
  CHECK(padded.at(0, 5, 5) == 0);
}

TEST_CASE("transforms: random resized crop boxes fit the image and its area and ratio ranges, and fall back to the central crop") {
  ImageTransformOptions t;
  Generator rng(11);
  for (int k = 0; k < 200; ++k) {
    const CropBox box = random_resized_crop_box(40, 60, t, rng);
    CHECK(box.top >= 0);
    CHECK(box.left >= 0);
    CHECK(box.top + box.height <= 40);
    CHECK(box.left + box.width <= 60);
    const double area = static_cast<double>(box.height * box.width) / (40.0 * 60.0);
    CHECK(area <= 1.0);
  }
  // A scale no box can reach in 10 tries (the whole area at a ratio of 2 in a square image) falls
  // back to the central crop with the ratio clamped: width 10, height round(10 / 2) = 5, at ((10 - 5) // 2, 0).
  t.scale_min = t.scale_max = 1.0;
  t.ratio_min = t.ratio_max = 2.0;
  const CropBox fallback = random_resized_crop_box(10, 10, t, rng);
  CHECK(fallback.width == 10);
  CHECK(fallback.height == 5);
  CHECK(fallback.top == 2);
  CHECK(fallback.left == 0);
}

TEST_CASE("transforms: brightness scales, contrast blends with the grey mean, saturation with the grey pixel, all clamped to [0, 1]") {
  FloatImage image{3, 1, 2, {0.2f, 0.8f, 0.4f, 0.4f, 0.6f, 0.0f}};  // pixels (r, g, b) = (0.2, 0.4, 0.6), (0.8, 0.4, 0.0)
  FloatImage bright = image;
  adjust_brightness(bright, 1.5);
  CHECK(bright.pixels[0] == doctest::Approx(0.3));
  CHECK(bright.pixels[1] == doctest::Approx(1.0));  // 1.2 clamped
  // Grey: 0.2989 r + 0.587 g + 0.114 b = 0.36298 and 0.47392; mean 0.41845. Contrast 0.5: (x + mean) / 2.
  FloatImage contrast = image;
  adjust_contrast(contrast, 0.5);
  CHECK(contrast.pixels[0] == doctest::Approx((0.2 + 0.41845) / 2));
  CHECK(contrast.pixels[5] == doctest::Approx(0.41845 / 2));
  // Saturation 0: every channel becomes the pixel's grey.
  FloatImage grey = image;
  adjust_saturation(grey, 0.0);
  CHECK(grey.pixels[0] == doctest::Approx(0.36298));
  CHECK(grey.pixels[2] == doctest::Approx(0.36298));
  CHECK(grey.pixels[5] == doctest::Approx(0.47392));
}

TEST_CASE("transforms: a listed pipeline normalizes with the given mean and std and flips only when augmenting") {
  ImageTransformOptions t;
  t.names = {"center_crop", "hflip", "normalize"};
  t.size = 2;
  t.flip_probability = 1.0;
  t.mean = {0.5};
  t.std = {0.25};
  FloatImage image{1, 2, 2, {0.0f, 1.0f, 0.5f, 0.75f}};
  FloatImage evaluated = image;
  apply_image_transforms(evaluated, t, nullptr);
  CHECK(evaluated.pixels == std::vector<float>{-2.0f, 2.0f, 0.0f, 1.0f});
  Generator rng(0);
  apply_image_transforms(image, t, &rng);
  CHECK(image.pixels == std::vector<float>{2.0f, -2.0f, 1.0f, 0.0f});
}

TEST_CASE("data: loader batches are the same with one worker or three, and across a resume") {
  TempDir dir("imagefolder_workers");
  for (int i = 0; i < 14; ++i) write_picture(dir.path / fmt::format("train/c{}/{}.png", i % 3, i), 8 + i % 5, 9, static_cast<uint8_t>(15 * i));
  ImageTransformOptions eval;
  eval.names = {"resize", "center_crop", "normalize"};
  eval.size = 6;
  eval.resize = 7;
  ImageTransformOptions train = eval;
  train.names = {"random_resized_crop", "color_jitter", "hflip", "normalize"};
  const ImageFolderSource source(scan_image_folder((dir.path / "train").string()), train, eval);
  const auto epoch_of = [&](int64_t workers, int64_t prefetch, int64_t skip) {
    LoaderOptions options{.batch_size = 3, .shuffle = true, .drop_last = false, .augment = true, .transforms = {}, .seed = 7,
                          .prefetch = prefetch, .workers = workers};
    DataLoader loader(source, options);
    loader.start_epoch(2, skip);
    std::vector<std::vector<float>> batches;
    Batch batch;
    while (loader.next(batch)) {
      batches.push_back(batch.images.to_vector<float>());
      std::vector<int64_t> labels = batch.labels.to_vector<int64_t>();
      batches.back().insert(batches.back().end(), labels.begin(), labels.end());
    }
    return batches;
  };
  const auto one = epoch_of(1, 2, 0);
  CHECK(one.size() == 5);
  CHECK(epoch_of(3, 2, 0) == one);
  CHECK(epoch_of(3, 1, 0) == one);
  CHECK(epoch_of(1, 0, 0) == one);
  const auto resumed = epoch_of(3, 2, 2);
  CHECK(resumed == std::vector<std::vector<float>>(one.begin() + 2, one.end()));
}

TEST_CASE("data: a worker's error reaches next() at its batch's turn, after the batches before it") {
  TempDir dir("imagefolder_worker_error");
  for (int i = 0; i < 6; ++i) write_picture(dir.path / fmt::format("train/c/{}.png", i), 8, 8, 1);
  std::ofstream(dir.path / "train/c/3.png", std::ios::trunc) << "broken";
  ImageTransformOptions eval;
  eval.names = {"center_crop"};
  eval.size = 8;
  const ImageFolderSource source(scan_image_folder((dir.path / "train").string()), eval, eval);
  LoaderOptions options{.batch_size = 1, .shuffle = false, .drop_last = false, .augment = false, .transforms = {}, .seed = 0,
                        .prefetch = 2, .workers = 3};
  DataLoader loader(source, options);
  loader.start_epoch(0);
  Batch batch;
  for (int b = 0; b < 3; ++b) REQUIRE(loader.next(batch));
  CHECK_THROWS_WITH_AS(loader.next(batch), has("3.png: cannot decode the image"), Error);
  CHECK_FALSE(loader.next(batch));  // the epoch is over
}

TEST_CASE("imagefolder: the classification task trains a few steps on a generated tree, val standing in for test") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("imagefolder_train");
  for (int i = 0; i < 12; ++i) write_picture(dir.path / fmt::format("data/train/{}/{}.jpg", i % 2 ? "odd" : "even", i), 20, 16, static_cast<uint8_t>(i % 2 ? 230 : 20));
  for (int i = 0; i < 4; ++i) write_picture(dir.path / fmt::format("data/val/{}/{}.png", i % 2 ? "odd" : "even", i), 18, 18, static_cast<uint8_t>(i % 2 ? 230 : 20));
  const std::string path = dir.write("folder.yaml", fmt::format(R"(model:
  widths: [8, 16]
  strides: [1, 2]
  in_channels: 3
data:
  dataset: imagefolder
  root: {0}/data
  batch_size: 4
  image_size: 16
  workers: 2
  transforms: [random_resized_crop, hflip, color_jitter, normalize]
train:
  epochs: 1
log:
  dir: {0}
)",
                                                                 dir.path.string()));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const nlohmann::json result = nlohmann::json::parse(read_file(r.run_dir + "/result.json"));
  CHECK(result.at("task") == "classification");
  const double top1 = result.at("test").at("top1");
  CHECK(top1 * 4 == doctest::Approx(std::round(top1 * 4)));  // a fraction of the 4 val images
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"model.in_channels=1"})), has("model.in_channels is 1"), Error);
}
