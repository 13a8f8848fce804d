// Video re-ID data: MATLAB Level 5 files (as MARS's info/ files are published), MARS and
// DukeMTMC-VideoReID trees generated on the fly, the frames a tracklet example takes (restricted
// random in training, evenly spaced in testing), junk and distractor handling, the re-ID task
// trained and evaluated on them, and one clear error for each malformed tree.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <stb_image_write.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "trainers/app/trainer.h"
#include "trainers/datasets/duke_video_layout.h"
#include "trainers/datasets/frame_resample.h"
#include "trainers/datasets/mars_layout.h"
#include "trainers/datasets/tracklet_frames.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/mat_file.h"
#include "trainers/tasks/task.h"

using namespace gaze;
using namespace gaze::test;
namespace fs = std::filesystem;

namespace {

// ---- a minimal Level 5 MAT-file writer ----------------------------------------------------

void append_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

// A data element: tag, bytes, zero padding to 8 bytes; names of up to 4 bytes use the small format.
void append_mat_element(std::string& out, uint32_t type, const std::string& bytes, bool allow_small = false) {
  if (allow_small && bytes.size() <= 4) {
    append_u32(out, static_cast<uint32_t>(bytes.size()) << 16 | type);
    out += bytes + std::string(4 - bytes.size(), '\0');
    return;
  }
  append_u32(out, type);
  append_u32(out, static_cast<uint32_t>(bytes.size()));
  out += bytes + std::string((8 - bytes.size() % 8) % 8, '\0');
}

struct TestMatVariable {
  std::string name;
  int32_t rows = 0, cols = 0;
  std::vector<double> values;  // column-major
  uint32_t mat_class = 6;      // mxDOUBLE_CLASS; 4 is mxCHAR_CLASS
  bool as_uint16 = false;      // stored as miUINT16, as MATLAB stores small integers
};

std::string mat_file(const std::vector<TestMatVariable>& variables, bool compress) {
  std::string out = "MATLAB 5.0 MAT-file, written by gaze's tests";
  out.resize(116, ' ');
  out += std::string(8, '\0');
  out += std::string("\x00\x01", 2) + "IM";
  for (const TestMatVariable& v : variables) {
    std::string body, flags, dims, real;
    append_u32(flags, v.mat_class);
    append_u32(flags, 0);
    append_mat_element(body, 6, flags);
    dims.append(reinterpret_cast<const char*>(&v.rows), 4);
    dims.append(reinterpret_cast<const char*>(&v.cols), 4);
    append_mat_element(body, 5, dims);
    append_mat_element(body, 1, v.name, true);
    for (double x : v.values) {
      if (v.as_uint16) {
        const auto u = static_cast<uint16_t>(x);
        real.append(reinterpret_cast<const char*>(&u), 2);
      } else {
        real.append(reinterpret_cast<const char*>(&x), 8);
      }
    }
    append_mat_element(body, v.as_uint16 ? 4 : 9, real);
    std::string matrix;
    append_mat_element(matrix, 14, body);
    if (!compress) {
      out += matrix;
      continue;
    }
    uLongf size = compressBound(matrix.size());
    std::string packed(size, '\0');
    REQUIRE(compress2(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(matrix.data()), matrix.size(), 6) == Z_OK);
    packed.resize(size);
    append_u32(out, 15);
    append_u32(out, static_cast<uint32_t>(packed.size()));
    out += packed;
  }
  return out;
}

// A rows x 4 matrix from row-major rows.
TestMatVariable info_matrix(const std::string& name, const std::vector<std::array<double, 4>>& rows) {
  TestMatVariable v{name, static_cast<int32_t>(rows.size()), 4, {}};
  for (int c = 0; c < 4; ++c)
    for (const auto& row : rows) v.values.push_back(row[static_cast<size_t>(c)]);
  return v;
}

// ---- MARS and Duke trees --------------------------------------------------------------------

constexpr int kReidFrameWidth = 8, kReidFrameHeight = 16;

// Frame `frame` of identity `pid`: flat, red from the pid, green counting frames.
std::array<uint8_t, 3> reid_colour(int64_t pid, int64_t frame) {
  return {static_cast<uint8_t>(40 + 20 * std::max<int64_t>(pid, 0)), static_cast<uint8_t>(10 * frame), 128};
}

void write_reid_frame(const std::string& path, std::array<uint8_t, 3> colour) {
  std::vector<uint8_t> pixels;
  for (int i = 0; i < kReidFrameWidth * kReidFrameHeight; ++i) pixels.insert(pixels.end(), colour.begin(), colour.end());
  fs::create_directories(fs::path(path).parent_path());
  REQUIRE(stbi_write_png(path.c_str(), kReidFrameWidth, kReidFrameHeight, 3, pixels.data(), kReidFrameWidth * 3));
}

struct MarsTrack {
  int64_t pid;  // -1: junk (folder 00-1)
  int64_t camera, frames;
};

// Writes home/<pid>/<pid>C<cam>T<n>F<f>.jpg for each track, returns the names and the info rows.
std::vector<std::array<double, 4>> write_mars_split(const TempDir& dir, const std::string& home, const std::vector<MarsTrack>& tracks,
                                                    std::string& names) {
  std::vector<std::array<double, 4>> rows;
  int64_t row = 1;
  for (size_t t = 0; t < tracks.size(); ++t) {
    const MarsTrack& track = tracks[t];
    const std::string pid = track.pid < 0 ? "00-1" : fmt::format("{:04}", track.pid);
    for (int64_t f = 1; f <= track.frames; ++f) {
      const std::string name = fmt::format("{}C{}T{:04}F{:03}.jpg", pid, track.camera, t + 1, f);
      write_reid_frame(dir.file(fmt::format("mars/{}/{}/{}", home, pid, name)), reid_colour(track.pid, f));
      names += name + "\n";
    }
    rows.push_back({static_cast<double>(row), static_cast<double>(row + track.frames - 1), static_cast<double>(track.pid),
                    static_cast<double>(track.camera)});
    row += track.frames;
  }
  return rows;
}

// Train: ids 1 and 3 in two cameras each. Test: queries id 2 (camera 1) and id 4 (camera 2); the
// gallery holds id 2 in camera 2, id 4 in cameras 1 and 2, a distractor (0) and a junk tracklet (-1).
void write_mars_tree(const TempDir& dir, bool compress) {
  std::string train_names, test_names;
  const auto train = write_mars_split(dir, "bbox_train", {{1, 1, 4}, {1, 2, 3}, {3, 1, 4}, {3, 3, 5}}, train_names);
  const auto test = write_mars_split(dir, "bbox_test", {{2, 1, 3}, {2, 2, 4}, {4, 2, 3}, {4, 1, 3}, {4, 2, 2}, {0, 3, 2}, {-1, 1, 2}}, test_names);
  dir.write("mars/info/train_name.txt", train_names);
  dir.write("mars/info/test_name.txt", test_names);
  dir.write("mars/info/tracks_train_info.mat", mat_file({info_matrix("track_train_info", train)}, compress));
  dir.write("mars/info/tracks_test_info.mat", mat_file({info_matrix("track_test_info", test)}, compress));
  dir.write("mars/info/query_IDX.mat", mat_file({{"query_IDX", 1, 2, {1, 3}, 6, true}}, compress));
}

void write_duke_tree(const TempDir& dir) {
  struct DukeTrack {
    std::string split;
    int64_t pid, camera, frames;
  };
  const std::vector<DukeTrack> tracks{{"train", 1, 1, 3}, {"train", 1, 2, 4}, {"train", 5, 1, 3}, {"train", 5, 4, 2},
                                      {"query", 2, 1, 3}, {"gallery", 2, 6, 3}, {"gallery", 7, 6, 2}};
  int64_t n = 0;
  for (const DukeTrack& t : tracks) {
    ++n;
    for (int64_t f = 0; f < t.frames; ++f)  // frames written in reverse order of their F number: the reader sorts them
      write_reid_frame(dir.file(fmt::format("duke/{}/{:04}/{:04}/{:04}_C{}_F{:04}_X{:05}.jpg", t.split, t.pid, n, t.pid, t.camera, t.frames - f, n)),
                       reid_colour(t.pid, t.frames - f));
  }
}

std::string video_reid_config(const TempDir& dir, const std::string& dataset, const std::string& root) {
  return fmt::format(R"(model:
  backbone: reid3d
  in_channels: 3
  widths: [8, 16]
  strides: [1, 2]
  attention: {{}}
data:
  dataset: {}
  root: {}
  frames: 3
  frame_size: [16, 8]
  batch_size: 4
  instances: 2
optim:
  name: adam
  lr: 0.001
train:
  epochs: 2
  log_interval: 1
eval:
  metrics: [rank1, rank5, map, ranked_lists]
log:
  dir: {}
)",
                     dataset, dir.file(root), dir.file("runs"));
}

float reid_normalized(uint8_t value, int channel) { return (static_cast<float>(value) - kImageNetMean[channel]) / kImageNetStd[channel]; }

}  // namespace

TEST_CASE("MAT-files: numeric matrices read back, plain or compressed, whatever their storage type") {
  TempDir dir("mat_file");
  for (bool compress : {false, true}) {
    const std::string path = dir.write(compress ? "z.mat" : "plain.mat",
                                       mat_file({{"text", 1, 2, {65, 66}, 4, false},
                                                 {"ab", 2, 3, {1, 2, 3, 4, 5.5, -6}, 6, false},
                                                 {"query_IDX", 1, 3, {7, 300, 65535}, 6, true}},
                                                compress));
    const MatMatrix ab = read_mat_matrix(path, "ab");
    CHECK(ab.rows == 2);
    CHECK(ab.cols == 3);
    CHECK(ab.at(0, 2) == 5.5);
    CHECK(ab.at(1, 2) == -6);
    CHECK(ab.at(1, 0) == 2);
    const MatMatrix idx = read_mat_matrix(path, "query_IDX");
    CHECK(idx.values == std::vector<double>{7, 300, 65535});
    CHECK_THROWS_WITH_AS(read_mat_matrix(path, "text"), doctest::Contains("variable 'text' is not a real numeric matrix"), Error);
    CHECK_THROWS_WITH_AS(read_mat_matrix(path, "other"), doctest::Contains("no variable 'other'; the file holds: text, ab, query_IDX"), Error);
  }
  CHECK_THROWS_WITH_AS(read_mat_matrix(dir.write("short.mat", "MATLAB"), "x"), doctest::Contains("short.mat: not a MAT-file"), Error);
  std::string truncated = mat_file({{"ab", 2, 3, {1, 2, 3, 4, 5, 6}, 6, false}}, false);
  truncated.resize(truncated.size() - 20);
  CHECK_THROWS_WITH_AS(read_mat_matrix(dir.write("cut.mat", truncated), "ab"), doctest::Contains("cut.mat: truncated MAT-file"), Error);
}

TEST_CASE("tracklet sampling: restricted random takes one frame from each equal chunk; evenly takes each chunk's first") {
  for (uint64_t seed = 0; seed < 10; ++seed) {
    Generator rng(seed);
    const std::vector<int64_t> picked = restricted_random_frames(10, 4, rng);  // chunks [0,2) [2,5) [5,7) [7,10)
    REQUIRE(picked.size() == 4);
    CHECK(picked[0] < 2);
    CHECK((picked[1] >= 2 && picked[1] < 5));
    CHECK((picked[2] >= 5 && picked[2] < 7));
    CHECK(picked[3] >= 7);
    CHECK(picked[3] < 10);
  }
  Generator rng(0);
  CHECK(restricted_random_frames(2, 4, rng) == std::vector<int64_t>{0, 0, 1, 1});  // shorter tracklets repeat frames
  CHECK(evenly_spaced_frames(10, 4) == std::vector<int64_t>{0, 2, 4, 6});       // torchreid: 10 cut to 8, step 2
  CHECK(evenly_spaced_frames(3, 5) == std::vector<int64_t>{0, 1, 2, 2, 2});     // the last frame repeated
}

TEST_CASE("MARS: identities, cameras and frames come from the info files; junk is dropped, distractors stay in the gallery") {
  TempDir dir("mars");
  write_mars_tree(dir, true);
  const VideoReidSplits s = read_mars(dir.file("mars"));
  REQUIRE(s.train.size() == 4);
  CHECK(s.train_names == std::vector<std::string>{"id 1", "id 3"});
  CHECK(s.train[2].identity == 1);  // pid 3 relabelled
  CHECK(s.train[3].camera == 2);    // camera 3, 0-based
  CHECK(s.train[3].frames.size() == 5);
  CHECK(fs::path(s.train[1].frames[2]).filename() == "0001C2T0002F003.jpg");
  REQUIRE(s.query.size() == 2);
  CHECK(s.query[0].identity == 2);
  CHECK(s.query[1].identity == 4);
  CHECK(s.query[1].camera == 1);
  REQUIRE(s.gallery.size() == 4);  // ids 2, 4, 4, 0: the junk tracklet is gone
  CHECK(s.gallery[3].identity == 0);

  // Test examples: evenly spaced frames resized to frame_size, identity and camera as the info says.
  const std::string path = dir.write("mars.yaml", video_reid_config(dir, "mars", "mars"));
  const auto task = make_task(load_config(path));
  const ExampleSource& query = task->test_set();
  CHECK(query.input_shape() == Shape{3, 3, 16, 8});
  std::vector<float> input(static_cast<size_t>(numel(query.input_shape())));
  int64_t target = -1;
  query.example(1, nullptr, input.data(), &target);  // id 4, camera 2, 3 frames: all of them
  CHECK(target == 4);
  CHECK(query.group(1) == 4);
  CHECK(query.camera(1) == 1);
  for (int64_t t = 0; t < 3; ++t)
    for (int c = 0; c < 3; ++c)
      CHECK(input[static_cast<size_t>((c * 3 + t) * 16 * 8 + 5)] == doctest::Approx(reid_normalized(reid_colour(4, t + 1)[c], c)));
  CHECK(task->train_set().class_names().size() == 2);
}

TEST_CASE("MARS and DukeMTMC-VideoReID: the re-ID task trains a few steps and scores queries against the gallery") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("video_reid_train");
  write_mars_tree(dir, false);
  write_duke_tree(dir);
  for (const auto& [dataset, root] : {std::pair<std::string, std::string>{"mars", "mars"}, {"duke_video", "duke"}}) {
    CAPTURE(dataset);
    const std::string path = dir.write(dataset + ".yaml", video_reid_config(dir, dataset, root));
    const TrainResult r = train(load_config(path, {"log.name=" + dataset}), {.config_path = path, .progress = false});
    const nlohmann::json result = nlohmann::json::parse(read_file(r.run_dir + "/result.json"));
    CHECK(result.at("task") == "reid");
    // MARS: both queries have a match in another camera; Duke: its one query does.
    CHECK(result.at("test").at("queries") == (dataset == "mars" ? 2 : 1));
    CHECK(fs::exists(fs::path(r.run_dir) / "ranked_lists.png"));
  }
}

TEST_CASE("DukeMTMC-VideoReID: tracklets from folders, frames ordered by number, camera from the name") {
  TempDir dir("duke");
  write_duke_tree(dir);
  const VideoReidSplits s = read_duke_video(dir.file("duke"));
  REQUIRE(s.train.size() == 4);
  CHECK(s.train_names == std::vector<std::string>{"id 1", "id 5"});
  CHECK(s.train[3].identity == 1);
  CHECK(s.train[3].camera == 3);
  CHECK(fs::path(s.train[1].frames[0]).filename() == "0001_C2_F0001_X00002.jpg");
  CHECK(fs::path(s.train[1].frames[3]).filename() == "0001_C2_F0004_X00002.jpg");
  REQUIRE(s.query.size() == 1);
  CHECK(s.query[0].identity == 2);
  CHECK(s.gallery.size() == 2);
  CHECK(parse_duke_frame_name("0001C6F0099X30823.jpg", "x").camera == 6);  // the older names
  CHECK(parse_duke_frame_name("0001C6F0099X30823.jpg", "x").frame == 99);

  write_reid_frame(dir.file("duke/train/0001/0002/0001_Z1.jpg"), reid_colour(1, 1));
  CHECK_THROWS_WITH_AS(read_duke_video(dir.file("duke")), doctest::Contains("0002/0001_Z1.jpg: not a DukeMTMC-VideoReID frame name"), Error);
  fs::remove(dir.file("duke/train/0001/0002/0001_Z1.jpg"));
  fs::create_directories(dir.file("duke/query/me"));
  CHECK_THROWS_WITH_AS(read_duke_video(dir.file("duke")), doctest::Contains("query/me: not an identity folder"), Error);
  fs::remove(dir.file("duke/query/me"));
  fs::remove_all(dir.file("duke/gallery"));
  CHECK_THROWS_WITH_AS(read_duke_video(dir.file("duke")), doctest::Contains("gallery: missing"), Error);
}

TEST_CASE("MARS: each malformed tree is one error naming the file") {
  TempDir dir("mars_bad");
  write_mars_tree(dir, false);
  const std::string root = dir.file("mars");
  fs::remove(dir.file("mars/bbox_test/0004/0004C1T0004F003.jpg"));  // a tracklet's last frame
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("0004C1T0004F003.jpg: missing; "), Error);
  write_mars_tree(dir, false);
  const std::string names = read_file(dir.file("mars/info/train_name.txt"));
  dir.write("mars/info/train_name.txt", "0001X1T0001F001.jpg\n" + names.substr(names.find('\n') + 1));
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("train_name.txt: frame name '0001X1T0001F001.jpg' is not MARS's"), Error);
  dir.write("mars/info/train_name.txt", names);
  dir.write("mars/info/tracks_train_info.mat", mat_file({info_matrix("track_train_info", {{1, 40, 1, 1}})}, false));
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("tracks_train_info.mat: row 1: frames 1..40 are not rows of"), Error);
  dir.write("mars/info/tracks_train_info.mat", mat_file({info_matrix("track_train_info", {{1, 5, 1, 1}})}, false));
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("show different identities or cameras"), Error);
  dir.write("mars/info/tracks_train_info.mat", mat_file({info_matrix("track_train_info", {{1, 4, 1, 9}})}, false));
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("camera 9 is not one of MARS's 1..6"), Error);
  fs::remove(dir.file("mars/info/query_IDX.mat"));
  CHECK_THROWS_WITH_AS(read_mars(root), doctest::Contains("query_IDX.mat: missing"), Error);
}
