// The synthetic datasets of the action, segmentation and re-ID tasks: each is
// deterministic, its labels say what its pixels show, no single frame of a clip tells the class,
// re-ID's splits hold what an evaluation needs, and bad options fail with a message naming them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "support/fashion_mnist.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/datasets/action_clips.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/datasets/reid_tracklets.h"
#include "trainers/datasets/sample_pictures.h"
#include "trainers/datasets/segmentation_scenes.h"

using namespace gaze;
using gaze::test::fashion;
using gaze::test::kFashionRoot;

namespace {


// n fully white 28×28 items labelled 0..9 in turn: rendered, each is a solid square, so what a
// frame shows can be predicted exactly from the layout.
ImageSet solid_items(int64_t n) {
  ImageSet set;
  set.height = set.width = 28;
  for (int64_t i = 0; i < n; ++i) {
    set.pixels.insert(set.pixels.end(), 28 * 28, uint8_t{255});
    set.labels.push_back(i % 10);
  }
  set.class_names = fashion_mnist_class_names();
  return set;
}

struct Rendered {
  std::vector<float> input;
  std::vector<int64_t> target;
};

Rendered render(const ExampleSource& source, int64_t index, Generator* augment = nullptr) {
  Rendered r;
  r.input.resize(static_cast<size_t>(numel(source.input_shape())));
  r.target.resize(static_cast<size_t>(std::max<int64_t>(1, numel(source.target_shape()))));
  source.example(index, augment, r.input.data(), r.target.data());
  return r;
}

bool same_bytes(const Rendered& a, const Rendered& b) { return a.input == b.input && a.target == b.target; }

// The shortest signed step from a to b on a circle of `size` (positions wrap on the torus).
double wrapped_step(double a, double b, double size) {
  double d = std::fmod(b - a, size);
  if (d > size / 2) d -= size;
  if (d < -size / 2) d += size;
  return d;
}

}  // namespace

TEST_CASE("action_clips: the same options give identical bytes, another seed different ones") {
  const ImageSet& items = fashion("train");
  ActionClipsOptions options;
  options.videos = 16;
  ActionClips a(items, options), b(items, options);
  options.seed = 1;
  ActionClips c(items, options);
  for (int64_t i : {0, 5, 31}) {
    CHECK(same_bytes(render(a, i), render(b, i)));
    CHECK_FALSE(same_bytes(render(a, i), render(c, i)));
  }
  Generator g1(7), g2(7);
  CHECK(same_bytes(render(a, 3, &g1), render(a, 3, &g2)));
  CHECK(a.input_shape() == Shape{1, 8, 32, 32});
  CHECK(a.size() == 32);
  CHECK(a.group(5) == 2);
}

TEST_CASE("action_clips: the items move as the class says and the frames show them where the motion puts them") {
  const ImageSet items = solid_items(3);
  ActionClipsOptions options;
  options.videos = 40;
  options.frames = 12;
  options.size = 40;
  ActionClips clips(items, options);
  const double size = 40.0;
  const float background = (0.0f - kActionClipsMean) / kActionClipsStd;
  for (int64_t i = 0; i < clips.size(); ++i) {
    const ClipMotion m = clips.motion(i);
    const Rendered r = render(clips, i);
    REQUIRE(r.target[0] == m.label);
    REQUIRE(m.label == clips.label(i));
    // Pixels: each frame lights exactly the union of the two (wrapped) item squares.
    for (int64_t t = 0; t < options.frames; ++t) {
      std::vector<bool> expected(40 * 40, false);
      for (auto [cx, cy] : {std::pair{m.actor_x[t], m.actor_y[t]}, std::pair{m.partner_x[t], m.partner_y[t]}}) {
        const auto left = static_cast<int64_t>(std::lround(cx - m.sprite / 2.0));
        const auto top = static_cast<int64_t>(std::lround(cy - m.sprite / 2.0));
        for (int64_t y = 0; y < m.sprite; ++y)
          for (int64_t x = 0; x < m.sprite; ++x) expected[static_cast<size_t>(((top + y) % 40 + 40) % 40 * 40 + ((left + x) % 40 + 40) % 40)] = true;
      }
      int64_t wrong = 0;
      for (int64_t j = 0; j < 40 * 40; ++j) wrong += expected[static_cast<size_t>(j)] != (r.input[static_cast<size_t>(t * 1600 + j)] > background + 0.5f);
      REQUIRE(wrong == 0);
    }
    // Motion: every step agrees with the class definition.
    const auto cls = static_cast<ActionClass>(m.label);
    for (int64_t t = 1; t < options.frames; ++t) {
      const double dx = wrapped_step(m.actor_x[t - 1], m.actor_x[t], size), dy = wrapped_step(m.actor_y[t - 1], m.actor_y[t], size);
      const double px = wrapped_step(m.partner_x[t - 1], m.partner_x[t], size), py = wrapped_step(m.partner_y[t - 1], m.partner_y[t], size);
      const double speed = std::hypot(dx, dy);
      CHECK(speed > 0.03 * size);
      switch (cls) {
        case ActionClass::right: CHECK((dx > 0 && std::abs(dy) < 1e-9)); break;
        case ActionClass::left: CHECK((dx < 0 && std::abs(dy) < 1e-9)); break;
        case ActionClass::down: CHECK((dy > 0 && std::abs(dx) < 1e-9)); break;
        case ActionClass::up: CHECK((dy < 0 && std::abs(dx) < 1e-9)); break;
        case ActionClass::clockwise:
        case ActionClass::anticlockwise: {
          if (t < 2) break;
          // y points down: a positive cross product of consecutive steps turns clockwise on screen.
          const double ex = wrapped_step(m.actor_x[t - 2], m.actor_x[t - 1], size), ey = wrapped_step(m.actor_y[t - 2], m.actor_y[t - 1], size);
          const double cross = ex * dy - ey * dx;
          CHECK((cls == ActionClass::clockwise ? cross > 0 : cross < 0));
          break;
        }
        case ActionClass::together: CHECK((std::abs(px - dx) < 1e-6 && std::abs(py - dy) < 1e-6)); break;
        case ActionClass::opposite: CHECK((std::abs(px + dx) < 1e-6 && std::abs(py + dy) < 1e-6)); break;
      }
      // The partner of the single-actor classes only jitters.
      if (m.label < 6) CHECK(std::hypot(px, py) < 0.5 * speed + 2.0);
    }
  }
}

TEST_CASE("action_clips: a video's clips are windows of one motion") {
  const ImageSet& items = fashion("train");
  ActionClipsOptions options;
  options.videos = 8;
  options.clips_per_video = 3;
  options.frames = 8;
  ActionClips clips(items, options);
  CHECK(clips.video_frames() == 16);
  for (int64_t video = 0; video < options.videos; ++video) {
    const Rendered first = render(clips, video * 3), second = render(clips, video * 3 + 1);
    CHECK(clips.group(video * 3 + 2) == video);
    // Clip 1 starts 4 frames (stride frames / 2) after clip 0: their shared frames are equal.
    CHECK(std::equal(first.input.begin() + 4 * 1024, first.input.end(), second.input.begin()));
    CHECK(first.target == second.target);
  }
}

TEST_CASE("action_clips: no single frame reveals the class (every frame's mean item centroid and brightness match across classes)") {
  const ImageSet& items = fashion("train");
  ActionClipsOptions options;
  options.videos = 8 * 200;
  options.clips_per_video = 1;
  ActionClips clips(items, options);
  const int64_t frames = options.frames, plane = 32 * 32;
  // Per class and frame: sums of the frame's intensity-weighted centroid (x, y) and mean intensity.
  std::vector<std::vector<std::array<double, 3>>> sums(kActionClasses, std::vector<std::array<double, 3>>(frames));
  std::vector<int64_t> count(kActionClasses, 0);
  std::vector<std::array<int64_t, 10>> categories(kActionClasses);
  for (int64_t i = 0; i < clips.size(); ++i) {
    const Rendered r = render(clips, i);
    const int64_t label = r.target[0];
    ++count[label];
    ++categories[label][items.labels[static_cast<size_t>(clips.motion(i).actor_item)]];
    for (int64_t t = 0; t < frames; ++t) {
      double mass = 0, mx = 0, my = 0;
      for (int64_t j = 0; j < plane; ++j) {
        const double v = r.input[static_cast<size_t>(t * plane + j)] * kActionClipsStd + kActionClipsMean;
        mass += v;
        mx += v * static_cast<double>(j % 32);
        my += v * static_cast<double>(j / 32);
      }
      sums[label][t][0] += mx / mass;
      sums[label][t][1] += my / mass;
      sums[label][t][2] += mass / plane;
    }
  }
  std::vector<double> brightness;
  for (int64_t c = 0; c < kActionClasses; ++c) {
    CHECK(count[c] == 200);
    for (int64_t t = 0; t < frames; ++t) {
      // A uniform position on the torus has its centroid's mean at the frame centre, 15.5; one
      // clip's centroid spreads by about 6 pixels, so 200 clips' mean by about 0.45.
      CAPTURE(c);
      CAPTURE(t);
      CHECK(std::abs(sums[c][t][0] / count[c] - 15.5) < 2.0);
      CHECK(std::abs(sums[c][t][1] / count[c] - 15.5) < 2.0);
      brightness.push_back(sums[c][t][2] / count[c]);
    }
    // The actor's Fashion-MNIST category is drawn regardless of the class: every category appears.
    for (int64_t k = 0; k < 10; ++k) CHECK(categories[c][k] > 5);
  }
  const auto [lo, hi] = std::minmax_element(brightness.begin(), brightness.end());
  CHECK(*hi / *lo < 1.15);
}

TEST_CASE("segmentation_scenes: the same options give identical bytes, another seed different ones") {
  const ImageSet& items = fashion("train");
  SegmentationScenesOptions options;
  options.scenes = 10;
  SegmentationScenes a(items, options), b(items, options);
  options.seed = 3;
  SegmentationScenes c(items, options);
  for (int64_t i : {0, 4, 9}) {
    CHECK(same_bytes(render(a, i), render(b, i)));
    CHECK_FALSE(same_bytes(render(a, i), render(c, i)));
  }
  CHECK(a.class_names().size() == 11);
  CHECK(a.class_names()[0] == "background");
  CHECK(a.target_shape() == Shape{64, 64});
}

TEST_CASE("segmentation_scenes: every pixel is labelled by the item drawn last over it, background elsewhere") {
  const ImageSet items = solid_items(10);
  SegmentationScenesOptions options;
  options.scenes = 30;
  options.max_items = 6;
  options.clutter = 2;
  SegmentationScenes scenes(items, options);
  for (int64_t i = 0; i < scenes.size(); ++i) {
    const SceneLayout layout = scenes.layout(i);
    const Rendered r = render(scenes, i);
    std::vector<int64_t> expected(64 * 64, 0);
    for (const SceneItem& item : layout.items) {
      CHECK(item.label == items.labels[static_cast<size_t>(item.item)] + 1);
      for (int64_t y = item.top; y < item.top + item.side; ++y)
        for (int64_t x = item.left; x < item.left + item.side; ++x) expected[static_cast<size_t>(y * 64 + x)] = item.label;
    }
    CHECK(r.target == expected);
  }
}

TEST_CASE("segmentation_scenes: on Fashion-MNIST items labels lie on their items and ignore only on edges") {
  const ImageSet& items = fashion("train");
  SegmentationScenesOptions options;
  options.scenes = 40;
  SegmentationScenes scenes(items, options);
  int64_t ignored = 0, labelled = 0, textured = 0;
  for (int64_t i = 0; i < scenes.size(); ++i) {
    const SceneLayout layout = scenes.layout(i);
    const Rendered r = render(scenes, i);
    for (const SceneItem& item : layout.items) textured += item.texture.kind != TextureKind::none;
    for (int64_t y = 0; y < 64; ++y)
      for (int64_t x = 0; x < 64; ++x) {
        const int64_t label = r.target[static_cast<size_t>(y * 64 + x)];
        if (label == 0) continue;
        if (label == kSegmentationIgnore) {
          ++ignored;
          // An edge: a differently labelled (not ignored) pixel lies within 2 pixels.
          bool edge = false;
          for (int64_t dy = -2; dy <= 2; ++dy)
            for (int64_t dx = -2; dx <= 2; ++dx) {
              const int64_t yy = y + dy, xx = x + dx;
              if (yy < 0 || yy >= 64 || xx < 0 || xx >= 64) continue;
              const int64_t other = r.target[static_cast<size_t>(yy * 64 + xx)];
              edge = edge || other != kSegmentationIgnore;
            }
          CHECK(edge);
          continue;
        }
        ++labelled;
        REQUIRE((label >= 1 && label <= 10));
        // The topmost item whose box holds the pixel and is visible there has this class.
        bool on_item = false;
        for (const SceneItem& item : layout.items)
          on_item = on_item || (item.label == label && x >= item.left && x < item.left + item.side && y >= item.top &&
                                y < item.top + item.side);
        REQUIRE(on_item);
      }
  }
  CHECK(labelled > 40 * 300);
  CHECK(ignored < labelled / 5);
  CHECK(textured > 20);
}

TEST_CASE("segmentation_scenes: classes_per_scene draws a scene's items from that many classes, item_size bounds their sides") {
  const ImageSet& items = fashion("train");
  SegmentationScenesOptions options;
  options.scenes = 60;
  options.size = 96;
  options.min_items = options.max_items = 5;
  options.min_side = 0.15, options.max_side = 0.30;
  std::map<int64_t, std::set<int64_t>> classes_seen;  // classes_per_scene -> every class any scene used
  for (int64_t k : {1, 2}) {
    options.classes_per_scene = k;
    SegmentationScenes scenes(items, options);
    for (int64_t i = 0; i < scenes.size(); ++i) {
      std::set<int64_t> labels;
      for (const SceneItem& item : scenes.layout(i).items) {
        labels.insert(item.label);
        classes_seen[k].insert(item.label);
        CHECK(item.label == items.labels[static_cast<size_t>(item.item)] + 1);
        CHECK(item.side >= static_cast<int64_t>(0.15 * 96));
        CHECK(item.side <= static_cast<int64_t>(0.30 * 96));
      }
      CHECK(static_cast<int64_t>(labels.size()) <= k);
    }
    CHECK(classes_seen[k].size() == 10);  // every class turns up over 60 scenes: the scene's classes vary
  }
  // 0 keeps the original draws: the default options' scenes are unchanged.
  options = {};
  options.scenes = 5;
  SegmentationScenes independent(items, options);
  std::set<int64_t> labels;
  for (int64_t i = 0; i < 5; ++i)
    for (const SceneItem& item : independent.layout(i).items) labels.insert(item.label);
  CHECK(labels.size() > 2);
}

TEST_CASE("reid_tracklets: motion moves the item between frames, 0 keeps it still") {
  ReidTrackletsOptions options;
  options.identities = 4;
  options.occlusion = 0.0;
  options.frames = 6;
  // The item's centroid (by brightness above the frame's median, channel 0) in each frame.
  auto drift = [&](double motion) {
    options.motion = motion;
    ReidTracklets set(fashion("train"), options);
    double total = 0;
    for (int64_t i = 0; i < set.size(); ++i) {
      const Rendered r = render(set, i);
      std::vector<std::array<double, 2>> centre;
      for (int64_t t = 0; t < options.frames; ++t) {
        const float* p = r.input.data() + t * 32 * 32;
        std::vector<float> sorted(p, p + 32 * 32);
        std::nth_element(sorted.begin(), sorted.begin() + 512, sorted.end());
        double sx = 0, sy = 0, w = 0;
        for (int64_t y = 0; y < 32; ++y)
          for (int64_t x = 0; x < 32; ++x) {
            const double v = std::max(0.0, static_cast<double>(p[y * 32 + x] - sorted[512]));
            sx += v * static_cast<double>(x), sy += v * static_cast<double>(y), w += v;
          }
        centre.push_back({sx / w, sy / w});
      }
      for (int64_t t = 1; t < options.frames; ++t)
        total += std::hypot(centre[t][0] - centre[t - 1][0], centre[t][1] - centre[t - 1][1]);
    }
    return total / static_cast<double>(set.size() * (options.frames - 1));
  };
  const double still = drift(0.0), moving = drift(3.0);
  CHECK(moving > 1.5);          // a random walk of std 3 px per axis moves ~3.8 px a frame (less where the frame clips it)
  CHECK(moving > 4 * still);    // without motion only scale jitter and noise move the centroid
}

TEST_CASE("reid_tracklets: the same options give identical bytes, another seed different ones") {
  const ImageSet& items = fashion("train");
  ReidTrackletsOptions options;
  options.identities = 10;
  ReidTracklets a(items, options), b(items, options);
  options.seed = 5;
  ReidTracklets c(items, options);
  CHECK(a.size() == 10 * 3 * 2);
  CHECK(a.input_shape() == Shape{3, 4, 32, 32});
  for (int64_t i : {0, 7, 59}) {
    CHECK(same_bytes(render(a, i), render(b, i)));
    CHECK_FALSE(same_bytes(render(a, i), render(c, i)));
  }
}

TEST_CASE("reid_tracklets: training identities are seen by every camera and are disjoint from test identities") {
  ReidTrackletsOptions options;
  ReidTracklets train(fashion("train"), options);
  const ReidEvaluationSplit test = make_reid_evaluation(fashion("test"), options);
  std::map<int64_t, std::set<int64_t>> cameras;
  std::set<uint64_t> train_items;
  for (int64_t i = 0; i < train.size(); ++i) {
    const ReidTracklet& t = train.tracklet(i);
    CHECK(render(train, i).target[0] == t.identity);
    CHECK(train.group(i) == t.identity);
    CHECK(train.camera(i) == t.camera);
    cameras[t.identity].insert(t.camera);
    train_items.insert(item_fingerprint(fashion("train"), t.item));
  }
  CHECK(cameras.size() == 100);
  for (const auto& [identity, seen] : cameras) CHECK(seen.size() == 3);
  CHECK(train.class_names().size() == 100);
  for (const ReidTracklets* part : {&test.query, &test.gallery})
    for (int64_t i = 0; i < part->size(); ++i) CHECK(train_items.count(item_fingerprint(fashion("test"), part->tracklet(i).item)) == 0);
}

TEST_CASE("reid_tracklets: every query has a same-identity gallery tracklet from another camera; distractors never match a query") {
  ReidTrackletsOptions options;
  options.identities = 50;
  options.distractors = 15;
  const ReidEvaluationSplit split = make_reid_evaluation(fashion("test"), options);
  CHECK(split.query.size() == 50 * 2);
  CHECK(split.gallery.size() == 50 * 2 * 2 + 15 * 3 * 2);
  std::set<int64_t> query_ids;
  std::map<int64_t, std::set<int64_t>> gallery_cameras;
  for (int64_t i = 0; i < split.gallery.size(); ++i) gallery_cameras[split.gallery.group(i)].insert(split.gallery.camera(i));
  for (int64_t i = 0; i < split.query.size(); ++i) {
    const ReidTracklet& q = split.query.tracklet(i);
    query_ids.insert(q.identity);
    CHECK(q.camera == split.query.query_camera(q.identity));
    CHECK(gallery_cameras[q.identity].size() == 2);
    CHECK(gallery_cameras[q.identity].count(q.camera) == 0);
  }
  CHECK(query_ids.size() == 50);
  int64_t distractor_tracklets = 0;
  for (int64_t i = 0; i < split.gallery.size(); ++i) {
    const int64_t id = render(split.gallery, i).target[0];
    if (id >= 50) {
      ++distractor_tracklets;
      CHECK(query_ids.count(id) == 0);
      CHECK(id < 65);
    }
  }
  CHECK(distractor_tracklets == 15 * 3 * 2);
  // Query and gallery render one identity's tracklets alike: the same instance, another camera.
  CHECK(split.query.tracklet(0).item == split.gallery.tracklet(0).item);
}

TEST_CASE("reid_tracklets: cameras change the look and occlusion damages frames") {
  ReidTrackletsOptions options;
  options.identities = 20;
  options.occlusion = 1.0;
  ReidTracklets damaged(fashion("train"), options);
  options.occlusion = 0.0;
  ReidTracklets clean(fashion("train"), options);
  // The same identity, camera and tracklet render differently once damaged.
  int64_t differ = 0;
  for (int64_t i = 0; i < clean.size(); ++i) differ += !same_bytes(render(clean, i), render(damaged, i));
  CHECK(differ == clean.size());
  // Each camera has its own photometric change: the mean colour of its frames differs.
  std::vector<std::array<double, 3>> colour(3, {0, 0, 0});
  for (int64_t i = 0; i < clean.size(); ++i) {
    const Rendered r = render(clean, i);
    const size_t per_channel = r.input.size() / 3;
    for (size_t c = 0; c < 3; ++c)
      for (size_t j = 0; j < per_channel; ++j) colour[clean.camera(i)][c] += r.input[c * per_channel + j];
  }
  double spread = 0;
  for (size_t c = 0; c < 3; ++c) spread += std::abs(colour[0][c] - colour[1][c]) + std::abs(colour[1][c] - colour[2][c]);
  CHECK(spread > 0.05 * 20 * 2 * 4 * 1024);
}

TEST_CASE("synthetic sets: bad options are one gaze::Error naming the option and the fix") {
  const ImageSet items = solid_items(4);
  ActionClipsOptions clips;
  clips.frames = 0;
  CHECK_THROWS_WITH_AS(ActionClips(items, clips), doctest::Contains("frames = 0; a clip needs 2 to 256 frames"), Error);
  clips = {};
  clips.size = 12;
  CHECK_THROWS_WITH_AS(ActionClips(items, clips), doctest::Contains("size = 12; frames must be 24 to 256 pixels"), Error);
  CHECK_THROWS_WITH_AS(ActionClips(ImageSet{}, {}), doctest::Contains("action_clips: the ImageSet of items is empty; pass Fashion-MNIST"), Error);

  SegmentationScenesOptions scenes;
  scenes.size = 16;
  CHECK_THROWS_WITH_AS(SegmentationScenes(items, scenes), doctest::Contains("size = 16; canvases must be 32 to 512"), Error);
  scenes = {};
  scenes.min_items = 5;
  CHECK_THROWS_WITH_AS(SegmentationScenes(items, scenes), doctest::Contains("min_items = 5, max_items = 4"), Error);
  scenes = {};
  scenes.classes_per_scene = 5;
  CHECK_THROWS_WITH_AS(SegmentationScenes(items, scenes), doctest::Contains("classes_per_scene = 5, but the item set has 4 classes"), Error);
  scenes = {};
  scenes.min_side = 0.8;
  CHECK_THROWS_WITH_AS(SegmentationScenes(items, scenes), doctest::Contains("item sides 0.8 to 0.7 of the canvas"), Error);
  CHECK_THROWS_WITH_AS(SegmentationScenes(ImageSet{}, {}), doctest::Contains("segmentation_scenes: the ImageSet of items is empty"), Error);

  ReidTrackletsOptions reid;
  reid.frames = 0;
  CHECK_THROWS_WITH_AS(ReidTracklets(items, reid), doctest::Contains("frames = 0; a tracklet needs 1 to 64 frames"), Error);
  reid = {};
  reid.motion = 20;
  CHECK_THROWS_WITH_AS(ReidTracklets(items, reid), doctest::Contains("motion = 20 pixels per frame; give 0 to a quarter"), Error);
  reid = {};
  reid.cameras = 1;
  CHECK_THROWS_WITH_AS(ReidTracklets(items, reid), doctest::Contains("cameras = 1; re-identification needs 2 to 16"), Error);
  reid = {};
  CHECK_THROWS_WITH_AS(ReidTracklets(items, reid), doctest::Contains("100 identities need as many item images, the ImageSet has 4"), Error);
  reid.identities = 2;
  CHECK_THROWS_WITH_AS(make_reid_evaluation(items, reid), doctest::Contains("2 identities and 20 distractors need"), Error);
}

TEST_CASE("sample pictures: a row per video, per identity and camera, or per scene") {
  const ImageSet& items = fashion("train");
  ActionClipsOptions clips;
  clips.videos = 4;  // 2 clips per video: clip 2v is video v's first
  CHECK(distinct_examples(ActionClips(items, clips), 3) == std::vector<int64_t>{0, 2, 4});
  CHECK(distinct_examples(ActionClips(items, clips), 10) == std::vector<int64_t>{0, 2, 4, 6});
  ReidTrackletsOptions reid;
  reid.identities = 2;  // per identity: camera 0's 2 tracklets, camera 1's, camera 2's
  const ReidTracklets tracklets(items, reid);
  const std::vector<int64_t> rows = distinct_examples(tracklets, 4);
  CHECK(rows == std::vector<int64_t>{0, 2, 4, 6});
  CHECK(tracklets.group(rows[3]) == 1);
  CHECK(tracklets.camera(rows[3]) == 0);
  SegmentationScenesOptions scenes;
  scenes.scenes = 5;
  CHECK(distinct_examples(SegmentationScenes(items, scenes), 3) == std::vector<int64_t>{0, 1, 2});
}

TEST_CASE("sample pictures: a PNG per synthetic set, frames in a row and a scene beside its label map") {
  const ImageSet& items = fashion("train");
  test::TempDir dir("samples");
  ActionClipsOptions clips;
  clips.videos = 4;
  SegmentationScenesOptions scenes;
  scenes.scenes = 3;
  ReidTrackletsOptions reid;
  reid.identities = 2;
  write_samples_png(ActionClips(items, clips), dir / "clips.png", 4);
  write_samples_png(SegmentationScenes(items, scenes), dir / "scenes.png", 3);
  write_samples_png(ReidTracklets(items, reid), dir / "reid.png", 6);
  for (const char* name : {"clips.png", "scenes.png", "reid.png"}) {
    std::ifstream in(dir / name, std::ios::binary);
    std::string head(8, '\0');
    in.read(head.data(), 8);
    CHECK(head == "\x89PNG\r\n\x1a\n");
  }
  CHECK_THROWS_WITH_AS(write_samples_png(ActionClips(items, clips), dir / "x.png", std::vector<int64_t>{99}),
                       doctest::Contains("example 99 is outside the source's 8 examples"), Error);
}
