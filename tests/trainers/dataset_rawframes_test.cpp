// Videos as frame folders (mmaction2's rawframes) and their annotation lists: which frames a clip
// takes in training and testing (mmaction2's SampleFrames), what the clips hold (the frames' own
// colours, the list's labels), multi-view testing, the action task trained on a tiny generated
// tree, and one clear error for each malformed tree.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <stb_image_write.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"
#include "trainers/datasets/clip_sampling.h"
#include "trainers/datasets/frame_resample.h"
#include "trainers/datasets/video_clip_set.h"
#include "trainers/datasets/video_lists.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/tasks/task.h"

using namespace gaze;
using namespace gaze::test;
namespace fs = std::filesystem;

namespace {

constexpr int kRawframeWidth = 20, kRawframeHeight = 16;

// The flat colour of frame file number `number` of a video: red counts frames, green tells the
// label, blue the video.
std::array<uint8_t, 3> rawframe_colour(int64_t number, int64_t label, int64_t video) {
  return {static_cast<uint8_t>(10 * number), static_cast<uint8_t>(40 * label + 20), static_cast<uint8_t>(100 + 30 * video)};
}

void write_flat_jpeg(const std::string& path, std::array<uint8_t, 3> colour) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < kRawframeWidth * kRawframeHeight; ++i) pixels.insert(pixels.end(), colour.begin(), colour.end());
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_jpg(path.c_str(), kRawframeWidth, kRawframeHeight, 3, pixels.data(), 100));
}

// A rawframes tree: `per_class` videos of each of 3 classes in each of train and test, `frames`
// frames each, and the lists train.txt and test.txt (frame dirs rawframes/<split>_<video>).
void write_rawframes_tree(const TempDir& dir, int64_t per_class, int64_t frames) {
  for (const std::string split : {"train", "test"}) {
    std::string list;
    for (int64_t v = 0; v < 3 * per_class; ++v) {
      const int64_t label = v % 3;
      const std::string folder = fmt::format("rawframes/{}_{}", split, v);
      for (int64_t n = 1; n <= frames; ++n) write_flat_jpeg(dir.file(fmt::format("{}/img_{:05}.jpg", folder, n)), rawframe_colour(n, label, v));
      list += fmt::format("{} {} {}\n", folder, frames, label);
    }
    dir.write(split + ".txt", list);
  }
}

std::string rawframes_config(const TempDir& dir, const std::string& extra = "") {
  return fmt::format(R"(model:
  backbone: c2d
  in_channels: 3
  widths: [8, 16]
  strides: [1, 2]
  attention: {{}}
data:
  dataset: rawframes
  root: {}
  train_list: train.txt
  test_list: test.txt
  frames: 4
  frame_interval: 2
  image_size: 16
  short_side: 16
  test_views: 2
  test_crops: 3
  batch_size: 4
{}train:
  epochs: 2
  log_interval: 1
eval:
  metrics: [top1, video_top1]
log:
  dir: {}
)",
                     dir.path.string(), extra, (dir.path / "runs").string());
}

float normalized(uint8_t value, int channel) { return (static_cast<float>(value) - kImageNetMean[channel]) / kImageNetStd[channel]; }

}  // namespace

TEST_CASE("clip sampling: training offsets fall one in each segment, clip frames follow frame_interval") {
  const ClipSampling s{.clip_len = 4, .frame_interval = 2, .num_clips = 3};
  std::set<int64_t> first_offsets;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    Generator rng(seed);
    const std::vector<int64_t> frames = sample_train_frames(30, s, rng);
    REQUIRE(frames.size() == 12);
    for (int64_t clip = 0; clip < 3; ++clip) {
      const int64_t offset = frames[static_cast<size_t>(clip * 4)];
      CHECK(offset >= clip * 7);  // (30 - 8 + 1) / 3 = 7 frames a segment
      CHECK(offset < clip * 7 + 7);
      for (int64_t k = 1; k < 4; ++k) CHECK(frames[static_cast<size_t>(clip * 4 + k)] == offset + 2 * k);
    }
    first_offsets.insert(frames[0]);
  }
  CHECK(first_offsets.size() > 3);  // the offsets are drawn, not fixed
  // A video shorter than a clip loops (mmaction2's out_of_bound_opt 'loop').
  Generator rng(1);
  CHECK(sample_train_frames(5, {.clip_len = 8, .frame_interval = 1, .num_clips = 1}, rng) == std::vector<int64_t>{0, 1, 2, 3, 4, 0, 1, 2});
}

TEST_CASE("clip sampling: test clips are evenly spaced, TSN takes each segment's middle frame, views interleave") {
  const ClipSampling clip{.clip_len = 2, .frame_interval = 2, .num_clips = 1};
  CHECK(sample_test_frames(100, clip, 1) == std::vector<int64_t>{48, 50});  // max offset 96, halved
  CHECK(sample_test_frames(100, clip, 3) == std::vector<int64_t>{0, 2, 48, 50, 96, 98});
  const ClipSampling tsn{.clip_len = 1, .frame_interval = 1, .num_clips = 4};
  CHECK(sample_test_frames(20, tsn, 1) == std::vector<int64_t>{2, 7, 12, 17});
  // Two views of 4 segments: 8 evenly spaced middles (1, 3, 6, 8, 11, 13, 16, 18), every other one a view.
  CHECK(sample_test_frames(20, tsn, 2) == std::vector<int64_t>{1, 6, 11, 16, 3, 8, 13, 18});
}

TEST_CASE("video lists: rawframe and video lines parse; a malformed line is one error naming the file and line") {
  TempDir dir("video_lists");
  const std::string good = dir.write("good.txt", "# comment\nclips/a 30 2\n\nclips/b 12 0\n");
  const std::vector<VideoListEntry> entries = read_rawframe_list(good);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].path == "clips/a");
  CHECK(entries[0].total_frames == 30);
  CHECK(entries[0].label == 2);
  CHECK(entries[1].line == 4);
  const std::vector<VideoListEntry> videos = read_video_list(dir.write("videos.txt", "v/x.mp4 7\n"));
  REQUIRE(videos.size() == 1);
  CHECK(videos[0].label == 7);
  CHECK_THROWS_WITH_AS(read_rawframe_list(dir.write("two.txt", "a 3 1\nb 3\n")), doctest::Contains("two.txt:2: 2 fields"), Error);
  CHECK_THROWS_WITH_AS(read_rawframe_list(dir.write("label.txt", "a 3 cat\n")), doctest::Contains("label.txt:1: label 'cat'"), Error);
  CHECK_THROWS_WITH_AS(read_rawframe_list(dir.write("zero.txt", "a 0 1\n")), doctest::Contains("zero.txt:1: total_frames is 0"), Error);
  CHECK_THROWS_WITH_AS(read_rawframe_list(dir.write("empty.txt", "\n")), doctest::Contains("names no video"), Error);
  CHECK_THROWS_WITH_AS(read_video_list(dir.file("absent.txt")), doctest::Contains("absent.txt: cannot open"), Error);
}

TEST_CASE("rawframes: clips hold the listed frames' pixels and labels; test videos give views x crops examples in one group") {
  TempDir dir("rawframes");
  write_rawframes_tree(dir, 2, 12);
  const std::string path = dir.write("rawframes.yaml", rawframes_config(dir));
  const auto task = make_task(load_config(path));
  const ExampleSource& train = task->train_set();
  CHECK(train.size() == 6);
  CHECK(train.input_shape() == Shape{3, 4, 16, 16});
  CHECK(train.class_names().size() == 3);
  const ExampleSource& test = task->test_set();
  REQUIRE(test.size() == 6 * 2 * 3);
  CHECK(test.group(0) == 0);
  CHECK(test.group(5) == 0);
  CHECK(test.group(6) == 1);
  // Test example 4 of video 1: view 1, crop 1. Two views of a 4-frame clip with stride 2 over 12
  // frames: offsets 0 and 12 - 8 = 4, frames 4, 6, 8, 10 (files img_00005.jpg ...).
  const auto& clips = dynamic_cast<const VideoClipSet&>(test);
  CHECK(clips.example_frames(6 + 4) == std::vector<int64_t>{4, 6, 8, 10});
  std::vector<float> input(static_cast<size_t>(numel(test.input_shape())));
  int64_t target = -1;
  test.example(6 + 4, nullptr, input.data(), &target);
  CHECK(target == 1);
  const int64_t plane = 16 * 16, frames = 4;
  for (int64_t t = 0; t < frames; ++t) {
    const auto colour = rawframe_colour(5 + 2 * t, 1, 1);
    for (int c = 0; c < 3; ++c) CHECK(input[static_cast<size_t>((c * frames + t) * plane + 7 * 16 + 9)] == doctest::Approx(normalized(colour[c], c)).epsilon(0.02).scale(1));
  }
  // Training examples draw their frames: with augmentation they vary, never leaving the video.
  Generator rng(3);
  train.example(2, &rng, input.data(), &target);
  CHECK(target == 2);
}

TEST_CASE("rawframes: the action task trains a few steps and scores videos by their averaged views") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("rawframes_train");
  write_rawframes_tree(dir, 2, 10);
  const std::string path = dir.write("rawframes.yaml", rawframes_config(dir, "  val_list: test.txt\n"));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const nlohmann::json result = nlohmann::json::parse(read_file(r.run_dir + "/result.json"));
  CHECK(result.at("task") == "action");
  const double video = result.at("test").at("video_top1");
  CHECK(video * 6 == doctest::Approx(std::round(video * 6)));  // a fraction of the 6 test videos
  const double clip = result.at("test").at("top1");
  CHECK(clip * 36 == doctest::Approx(std::round(clip * 36)));  // of their 36 views x crops
}

TEST_CASE("rawframes: each malformed tree is one error naming the file") {
  TempDir dir("rawframes_bad");
  write_rawframes_tree(dir, 1, 6);
  const std::string path = dir.write("rawframes.yaml", rawframes_config(dir));
  // A list that claims more frames than the folder holds.
  dir.write("long.txt", "rawframes/train_0 9 0\n");
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"data.train_list=long.txt"})), doctest::Contains("train_0/img_00009.jpg: missing; "), Error);
  dir.write("nofolder.txt", "rawframes/none 6 0\n");
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"data.train_list=nofolder.txt"})), doctest::Contains("rawframes/none: missing"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"data.filename_tmpl=frame_{:04}.png"})), doctest::Contains("frame_0001.png: missing"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"model.num_classes=2"})), doctest::Contains("label 2 is out of range"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(path, {"data.test_list=''"})), doctest::Contains("needs data.train_list and data.test_list"), Error);
  // An unreadable JPEG fails when its clip is read, naming the file.
  dir.write("rawframes/test_1/img_00003.jpg", "not a jpeg");
  const auto task = make_task(load_config(path, {"data.test_views=1", "data.test_crops=1", "data.frame_interval=1"}));
  std::vector<float> input(static_cast<size_t>(numel(task->test_set().input_shape())));
  int64_t target = 0;
  CHECK_THROWS_WITH_AS(task->test_set().example(1, nullptr, input.data(), &target), doctest::Contains("test_1/img_00003.jpg"), Error);
}

TEST_CASE("frame resampling: a resized, cropped, mirrored frame keeps each column's colour") {
  DecodedImage image{.height = 2, .width = 4, .channels = 3, .pixels = {}};
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x)
      for (int c = 0; c < 3; ++c) image.pixels.push_back(static_cast<uint8_t>(x * 60 + c));
  // Doubled to 4 x 8, the window columns 2..5 mirrored: output column 0 is resized column 5.
  std::vector<float> out(3 * 4 * 4);
  resample_frame(image, {.resized_height = 4, .resized_width = 8, .top = 0, .left = 2, .height = 4, .width = 4, .mirror = true}, out.data(), 16);
  // Resized column 5 samples source x = (5 + 0.5) / 2 - 0.5 = 2.25: 0.75 x 120 + 0.25 x 180 = 135.
  CHECK(out[0] == doctest::Approx(normalized(135, 0)));
  // Output column 3 is resized column 2, source x = 0.75: 0.25 x 1 + 0.75 x 61 = 46 (green).
  CHECK(out[16 + 3] == doctest::Approx(normalized(46, 1)));
  const auto size = resize_short_side(240, 320, 128);
  CHECK(size == std::array<int64_t, 2>{128, 171});
}
