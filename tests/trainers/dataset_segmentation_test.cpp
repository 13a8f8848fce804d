// The segmentation datasets on disk: Cityscapes, Pascal VOC, ADE20K and a generic image + label
// folder, built here as tiny trees. The readers return the pairs in order and the labels as
// written (VOC's palette colours and ADE20K's reduce_zero_label mapped as mmseg maps them); every
// malformed tree is one error naming the file.
#include <doctest/doctest.h>
#include <stb_image_write.h>

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <nlohmann/json.hpp>

#include "support/run_program.h"
#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/datasets/segmentation_files.h"
#include "trainers/datasets/segmentation_labels.h"
#include "trainers/datasets/segmentation_layouts.h"
#include "trainers/app/trainer.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/tasks/task.h"

using namespace gaze;
using gaze::test::has;
using gaze::test::run_program;
using gaze::test::fastest_backend;
using gaze::test::ScopedBackend;
using gaze::test::TempDir;
namespace fs = std::filesystem;

namespace {

void write_seg_label_png(const std::string& path, int width, int height, const std::vector<uint8_t>& values) {
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_png(path.c_str(), width, height, 1, values.data(), width));
}

void write_seg_image(const std::string& path, int width, int height, const std::vector<uint8_t>& rgb) {
  fs::create_directories(fs::path(path).parent_path());
  if (path.size() > 4 && path.substr(path.size() - 4) == ".jpg")
    REQUIRE(stbi_write_jpg(path.c_str(), width, height, 3, rgb.data(), 95));
  else
    REQUIRE(stbi_write_png(path.c_str(), width, height, 3, rgb.data(), width * 3));
}

std::vector<uint8_t> flat_seg_image(int width, int height, uint8_t value) { return std::vector<uint8_t>(static_cast<size_t>(width * height * 3), value); }

// Cityscapes: two cities, `per_city` images of 4 x 2 pixels each, labels {0, 1, 18, 255, ...}.
void make_cityscapes(const TempDir& dir, const std::string& split, int per_city) {
  for (const std::string city : {"bochum", "aachen"})
    for (int k = 0; k < per_city; ++k) {
      const std::string name = city + "_00000" + std::to_string(k) + "_000019";
      write_seg_image(dir / ("leftImg8bit/" + split + "/" + city + "/" + name + "_leftImg8bit.png"), 4, 2, flat_seg_image(4, 2, 100));
      write_seg_label_png(dir / ("gtFine/" + split + "/" + city + "/" + name + "_gtFine_labelTrainIds.png"), 4, 2, {0, 1, 18, 255, 0, 0, 7, 7});
    }
}

// A Cityscapes tree of 32 x 16 images with a road (0) below, sky (10) above and a car (13)
// square, plus ignored pixels: enough for a few training steps and whole-image evaluation.
void make_cityscapes_scenes(const TempDir& dir, const std::string& split, int images) {
  for (int k = 0; k < images; ++k) {
    std::vector<uint8_t> rgb, labels;
    for (int y = 0; y < 16; ++y)
      for (int x = 0; x < 32; ++x) {
        const bool car = x >= 4 + 3 * k && x < 12 + 3 * k && y >= 6 && y < 12;
        const uint8_t label = car ? 13 : y < 8 ? 10 : 0;
        labels.push_back(x == 31 ? 255 : label);
        const uint8_t r = car ? 200 : label == 10 ? 90 : 40;
        rgb.insert(rgb.end(), {r, static_cast<uint8_t>(label == 10 ? 150 : 60), static_cast<uint8_t>(label == 10 ? 230 : 50)});
      }
    const std::string name = "zurich_" + std::to_string(100000 + k) + "_000019";
    write_seg_image(dir / ("leftImg8bit/" + split + "/zurich/" + name + "_leftImg8bit.png"), 32, 16, rgb);
    write_seg_label_png(dir / ("gtFine/" + split + "/zurich/" + name + "_gtFine_labelTrainIds.png"), 32, 16, labels);
  }
}

std::string cityscapes_config(const std::string& root, const std::string& eval_mode) {
  return fmt::format(R"(model:
  backbone: dilated_fcn
  in_channels: 3
  widths: [8, 8, 16, 16]
  head: fcn
data:
  dataset: cityscapes
  root: {}
  batch_size: 2
  crop_size: [16, 16]
  scale: [16, 32]
  prefetch: 0
train:
  epochs: 1
  log_interval: 1
eval:
  mode: {}
  crop_size: [16, 16]
  stride: [8, 8]
  metrics: [miou, pixel_accuracy, overlays]
log:
  dir: {}/runs
)",
                     root, eval_mode, root);
}

}  // namespace

TEST_CASE("Cityscapes: images pair with their labelTrainIds files, sorted by city and name, labels as written") {
  TempDir dir("seg_cityscapes");
  make_cityscapes(dir, "val", 2);
  const auto pairs = list_cityscapes_pairs(dir.path.string(), "val");
  REQUIRE(pairs.size() == 4);
  CHECK(fs::path(pairs[0].image).filename() == "aachen_000000_000019_leftImg8bit.png");
  CHECK(fs::path(pairs[0].label).filename() == "aachen_000000_000019_gtFine_labelTrainIds.png");
  CHECK(fs::path(pairs[3].image).filename() == "bochum_000001_000019_leftImg8bit.png");
  const LabelMap labels = read_label_map(pairs[0].label, {LabelEncoding::grey_index, 19, false});
  CHECK(labels.width == 4);
  CHECK(labels.height == 2);
  CHECK(labels.labels == std::vector<uint8_t>{0, 1, 18, 255, 0, 0, 7, 7});
}

TEST_CASE("Cityscapes: a missing label file, a wrong image name and a label out of range each name the file") {
  TempDir dir("seg_cityscapes_bad");
  make_cityscapes(dir, "train", 1);
  const std::string label = dir / "gtFine/train/aachen/aachen_000000_000019_gtFine_labelTrainIds.png";
  fs::remove(label);
  CHECK_THROWS_WITH_AS(list_cityscapes_pairs(dir.path.string(), "train"),
                       has(label + ": missing; every image in leftImg8bit/train needs its label file (Cityscapes' createTrainIdLabelImgs.py"),
                       Error);
  write_seg_label_png(label, 4, 2, {0, 1, 2, 3, 19, 0, 0, 0});
  const auto pairs = list_cityscapes_pairs(dir.path.string(), "train");
  CHECK_THROWS_WITH_AS(read_label_map(pairs[0].label, {LabelEncoding::grey_index, 19, false}),
                       has(label + ": pixel (x 0, y 1) has label 19, outside the 19 classes 0..18 and not the ignore label 255"), Error);
  write_seg_image(dir / "leftImg8bit/train/aachen/aachen_frame.png", 4, 2, flat_seg_image(4, 2, 1));
  CHECK_THROWS_WITH_AS(list_cityscapes_pairs(dir.path.string(), "train"),
                       has(dir / "leftImg8bit/train/aachen/aachen_frame.png" + ": not a Cityscapes image name"), Error);
  CHECK_THROWS_WITH_AS(list_cityscapes_pairs(dir.path.string(), "val"), has(dir / "leftImg8bit/val" + ": no such directory"), Error);
}

TEST_CASE("VOC: the split file orders the pairs; palette colours map back to indices and the border to 255") {
  TempDir dir("seg_voc");
  const auto& palette = voc_palette_colours();
  REQUIRE(palette.size() == 21);
  CHECK(palette[1] == std::array<uint8_t, 3>{128, 0, 0});     // aeroplane
  CHECK(palette[15] == std::array<uint8_t, 3>{192, 128, 128});  // person
  CHECK(palette[20] == std::array<uint8_t, 3>{0, 64, 128});     // tvmonitor
  dir.write("ImageSets/Segmentation/val.txt", "2007_000033\n2007_000032\n");
  for (const std::string id : {"2007_000032", "2007_000033"}) {
    write_seg_image(dir / ("JPEGImages/" + id + ".jpg"), 3, 1, flat_seg_image(3, 1, 90));
    // background, person, border
    write_seg_image(dir / ("SegmentationClass/" + id + ".png"), 3, 1, {0, 0, 0, 192, 128, 128, 224, 224, 192});
  }
  const auto pairs = list_folder_pairs(voc_layout(dir.path.string(), "val", false));
  REQUIRE(pairs.size() == 2);
  CHECK(fs::path(pairs[0].image).filename() == "2007_000033.jpg");
  CHECK(fs::path(pairs[1].label).filename() == "2007_000032.png");
  CHECK(read_label_map(pairs[0].label, {LabelEncoding::voc_palette, 21, false}).labels == std::vector<uint8_t>{0, 15, 255});

  write_seg_image(dir / "SegmentationClass/2007_000033.png", 3, 1, {0, 0, 0, 1, 2, 3, 0, 0, 0});
  CHECK_THROWS_WITH_AS(read_label_map(pairs[0].label, {LabelEncoding::voc_palette, 21, false}),
                       has(pairs[0].label + ": pixel (x 1, y 0) has colour (1, 2, 3), which is none of VOC's 21 class colours"), Error);
  CHECK_THROWS_WITH_AS(read_label_map(pairs[0].label, {LabelEncoding::grey_index, 21, false}),
                       has(pairs[0].label + ": a label file must be a one-channel (grey) PNG"), Error);

  dir.write("ImageSets/Segmentation/val.txt", "2007_000033\n2007_000099\n");
  CHECK_THROWS_WITH_AS(list_folder_pairs(voc_layout(dir.path.string(), "val", false)), has(dir / "JPEGImages/2007_000099.jpg" + ": missing"),
                       Error);
  CHECK_THROWS_WITH_AS(list_folder_pairs(voc_layout(dir.path.string(), "train", false)),
                       has(dir / "ImageSets/Segmentation/train.txt" + ": cannot read the split file"), Error);
}

TEST_CASE("ADE20K: every image of the split with reduce_zero_label (0 ignored, k to k - 1); a missing annotation is named") {
  TempDir dir("seg_ade");
  for (const std::string id : {"ADE_val_00000002", "ADE_val_00000001"}) {
    write_seg_image(dir / ("images/validation/" + id + ".jpg"), 4, 1, flat_seg_image(4, 1, 30));
    write_seg_label_png(dir / ("annotations/validation/" + id + ".png"), 4, 1, {0, 1, 150, 255});
  }
  const auto pairs = list_folder_pairs(ade20k_layout(dir.path.string(), "validation"));
  REQUIRE(pairs.size() == 2);
  CHECK(fs::path(pairs[0].image).filename() == "ADE_val_00000001.jpg");
  CHECK(read_label_map(pairs[0].label, {LabelEncoding::grey_index, 150, true}).labels == std::vector<uint8_t>{255, 0, 149, 255});
  write_seg_label_png(dir / "annotations/validation/ADE_val_00000001.png", 4, 1, {0, 1, 151, 2});
  CHECK_THROWS_WITH_AS(read_label_map(pairs[0].label, {LabelEncoding::grey_index, 150, true}),
                       has("pixel (x 2, y 0) has label 151 (after reduce_zero_label), outside the 150 classes"), Error);
  fs::remove(dir / "annotations/validation/ADE_val_00000002.png");
  CHECK_THROWS_WITH_AS(list_folder_pairs(ade20k_layout(dir.path.string(), "validation")),
                       has(dir / "annotations/validation/ADE_val_00000002.png" + ": missing; every image in"), Error);
}

TEST_CASE("SegmentationFiles: an unreadable JPEG and a label map of another size name their files") {
  TempDir dir("seg_files_bad");
  write_seg_image(dir / "images/train/a.jpg", 4, 2, flat_seg_image(4, 2, 10));
  write_seg_label_png(dir / "labels/train/a.png", 3, 2, {0, 0, 0, 0, 0, 0});
  dir.write("images/train/b.jpg", "not a jpeg");
  write_seg_label_png(dir / "labels/train/b.png", 4, 2, std::vector<uint8_t>(8, 0));
  FolderLayout layout;
  layout.root = dir.path.string();
  layout.split = "train";
  layout.image_dir = "images/{split}";
  layout.label_dir = "labels/{split}";
  SegmentationFilesOptions o;
  o.class_names = {"a", "b"};
  o.labels.classes = 2;
  o.crop = {8, 8};
  o.scale = {8, 16};
  SegmentationFiles files(list_folder_pairs(layout), o);
  REQUIRE(files.size() == 2);
  CHECK_THROWS_WITH_AS(files.read(0), has(dir / "labels/train/a.png" + ": the label map is 3x2 but its image"), Error);
  CHECK_THROWS_WITH_AS(files.read(1), has(dir / "images/train/b.jpg" + ": cannot decode the image"), Error);
}

TEST_CASE("SegmentationFiles: a training example is the crop size, normalized, its labels padded with 255 where the image ends") {
  TempDir dir("seg_files");
  // An 8 x 4 image (left half dark, right half bright) labelled 0 | 1 by halves.
  std::vector<uint8_t> rgb, labels;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 8; ++x) {
      for (int c = 0; c < 3; ++c) rgb.push_back(x < 4 ? 20 : 220);
      labels.push_back(x < 4 ? 0 : 1);
    }
  write_seg_image(dir / "images/train/a.png", 8, 4, rgb);
  write_seg_label_png(dir / "labels/train/a.png", 8, 4, labels);
  FolderLayout layout;
  layout.root = dir.path.string();
  layout.split = "train";
  layout.image_dir = "images/{split}";
  layout.label_dir = "labels/{split}";
  layout.image_suffix = ".png";
  SegmentationFilesOptions o;
  o.class_names = {"dark", "bright"};
  o.labels.classes = 2;
  o.crop = {8, 8};
  o.scale = {4, 8};  // the image as it is
  o.min_ratio = o.max_ratio = 1.0;
  o.cat_max_ratio = 1.0;
  o.flip_probability = 0.0;
  o.mean = {20, 20, 20};
  o.std = {200, 200, 200};
  SegmentationFiles files(list_folder_pairs(layout), o);
  CHECK(files.input_shape() == Shape{3, 8, 8});
  std::vector<float> input(3 * 64);
  std::vector<int64_t> target(64);
  Generator rng(3);
  files.example(0, &rng, input.data(), target.data());
  CHECK(target[0] == 0);
  CHECK(target[7] == 1);
  CHECK(target[3 * 8 + 7] == 1);
  CHECK(target[4 * 8] == 255);  // rows 4..7 are padding
  CHECK(input[0] == doctest::Approx(0.0));
  CHECK(input[7] == doctest::Approx(1.0));
  CHECK(input[2 * 64 + 5 * 8] == 0.0f);  // padding is 0 after normalization

  WholeImage whole = files.whole_image(0);
  CHECK(whole.labels.height == 4);
  CHECK(whole.labels.width == 8);
  CHECK(whole.image.height == 4);
  CHECK(whole.image.width == 8);
}

TEST_CASE("segmentation task on a Cityscapes tree: trains on crops, evaluates whole images (whole and slide), mIoU over the set") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("seg_task");
  make_cityscapes_scenes(dir, "train", 4);
  make_cityscapes_scenes(dir, "val", 2);
  for (const std::string mode : {"whole", "slide"}) {
    INFO(mode);
    const std::string path = dir.write(mode + ".yaml", cityscapes_config(dir.path.string(), mode));
    const Config config = load_config(path);
    const auto task = make_task(config);
    CHECK(task->train_set().size() == 4);
    CHECK(task->train_set().input_shape() == Shape{3, 16, 16});
    CHECK(task->val_size() == 2);
    const TrainResult r = train(config, {.config_path = path, .progress = false});
    const nlohmann::json result = nlohmann::json::parse(read_file(r.run_dir + "/result.json"));
    const double miou = result.at("test").at("miou");
    CHECK(miou >= 0);
    CHECK(miou <= 1);
    // Only classes present in a label or a prediction have an IoU (at most 19).
    CHECK(result.at("test").at("iou").size() <= 19);
    CHECK(fs::exists(fs::path(r.run_dir) / "overlays.png"));
  }
  CHECK_THROWS_WITH_AS(make_task(load_config(dir.path.string() + "/whole.yaml", {"data.root=" + (dir / "nowhere")})),
                       has(dir / "nowhere/leftImg8bit/train" + ": no such directory"), Error);
}

namespace {

// The metrics line `gaze eval` printed into its log: the line that is a JSON object.
std::string printed_metrics(const std::string& log_path) {
  std::istringstream lines(read_file(log_path));
  std::string line, metrics;
  while (std::getline(lines, line))
    if (!line.empty() && line.front() == '{') metrics = line;
  return metrics;
}

}  // namespace

TEST_CASE("a segmentation set on disk evaluated by mpirun -np 2 gaze eval gives exactly one process's metrics") {
#ifndef GAZE_MPIEXEC
  MESSAGE("skipped: this build of gaze has no MPI (install libopenmpi-dev and openmpi-bin, and reconfigure)");
#else
  ScopedBackend backend(fastest_backend());
  TempDir dir("seg_ranks");
  make_cityscapes_scenes(dir, "train", 2);
  make_cityscapes_scenes(dir, "val", 5);  // rank 0 evaluates images 0, 2, 4 and rank 1 images 1, 3
  const std::string path = dir.write("whole.yaml", cityscapes_config(dir.path.string(), "whole"));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const std::string one_log = dir / "one.log", two_log = dir / "two.log";
  REQUIRE(run_program({GAZE_CLI_PATH, "eval", path, "--weights", r.run_dir}, one_log) == 0);
  // mpirun as root needs its consent; Open MPI keeps what MPI_Init allocates to the end, which
  // LeakSanitizer would report in the sanitizer build (tests/distributed says the same).
  REQUIRE(run_program({"/usr/bin/env", "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1", "GAZE_NUM_THREADS=1",
                       "ASAN_OPTIONS=protect_shadow_gap=0:detect_leaks=0", GAZE_MPIEXEC, "-np", "2", "--oversubscribe", GAZE_CLI_PATH,
                       "eval", path, "--weights", r.run_dir},
                      two_log) == 0);
  const std::string one = printed_metrics(one_log), two = printed_metrics(two_log);
  INFO(read_file(two_log));
  REQUIRE(!one.empty());
  CHECK(read_file(two_log).find("shared out over 2 ranks") != std::string::npos);
  const nlohmann::json one_metrics = nlohmann::json::parse(one), two_metrics = nlohmann::json::parse(two);
  CHECK(one_metrics.contains("miou"));
  CHECK(two_metrics == one_metrics);  // loss, mIoU, pixel accuracy and every class's IoU, bit for bit
#endif
}
