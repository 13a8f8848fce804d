// action_relations: the classes are balanced; no single frame, slot or category tells them apart;
// each class shows the items its name says, where the pass puts them; the first and last passes
// are farther apart than gaze's small i3d sees; the set is deterministic; bad options fail with a
// message naming them; and the action task trains on it.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/fashion_mnist.h"
#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"
#include "trainers/datasets/action_relations.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/io/atomic_file.h"

using namespace gaze;
using gaze::test::fashion;

namespace {

std::vector<float> render_pixels(const ActionRelations& set, int64_t index, int64_t* label) {
  std::vector<float> input(static_cast<size_t>(numel(set.input_shape())));
  set.example(index, nullptr, input.data(), label);
  for (float& v : input) v = v * kActionRelationsStd + kActionRelationsMean;  // back to [0, 1]
  return input;
}

int64_t category(const ImageSet& items, int64_t item) { return items.labels[static_cast<size_t>(item)]; }

// The pixels one item at centre (cx, cy) puts on an empty size × size frame, clipped at the borders.
std::vector<float> lone_item_frame(const ImageSet& items, int64_t item, int64_t sprite, int64_t size, double cx, double cy) {
  std::vector<float> frame(static_cast<size_t>(size * size), 0.0f);
  const std::vector<float> pixels = resize_item(items, item, sprite, sprite);
  const auto left = static_cast<int64_t>(std::lround(cx - sprite / 2.0)), top = static_cast<int64_t>(std::lround(cy - sprite / 2.0));
  for (int64_t sy = 0; sy < sprite; ++sy)
    for (int64_t sx = 0; sx < sprite; ++sx)
      if (top + sy >= 0 && top + sy < size && left + sx >= 0 && left + sx < size)
        frame[static_cast<size_t>((top + sy) * size + left + sx)] = pixels[static_cast<size_t>(sy * sprite + sx)];
  return frame;
}

}  // namespace

TEST_CASE("action_relations: the four classes take turns, so any 4k videos are balanced, and the target is the label") {
  ActionRelationsOptions options;
  options.videos = 10;
  ActionRelations set(fashion("train"), options);
  CHECK(set.class_names() == std::vector<std::string>{"first_twice", "last_twice", "returns", "replaced"});
  std::array<int64_t, kRelationClasses> count{};
  for (int64_t i = 0; i < 8; ++i) {
    int64_t target = -1;
    render_pixels(set, i, &target);
    CHECK(target == i % 4);
    CHECK(set.video(i).label == target);
    ++count[static_cast<size_t>(target)];
  }
  CHECK(count == std::array<int64_t, kRelationClasses>{2, 2, 2, 2});
  CHECK(set.group(7) == 7);  // one clip per video
}

TEST_CASE("action_relations: at 16 frames the slots are 0-3, 6-9 and 12-15, so the first and last passes are 9 frames apart") {
  const RelationSlots s = relation_slots(16);
  CHECK(s.slot_frames == 4);
  CHECK(s.first[0] == 0);
  CHECK(s.first[1] == 6);
  CHECK(s.first[2] == 12);
  // gaze's small i3d sees 9 frames (a 3x3x3 stem and one 3x3x3 conv per stage: 1 + 4 · 2); a
  // window that holds the first pass's last frame and the last pass's first frame needs 10.
  CHECK(s.first[2] - (s.first[0] + s.slot_frames - 1) + 1 == 10);
  const RelationSlots eight = relation_slots(8), odd = relation_slots(19);
  CHECK(eight.first[1] == 3);
  CHECK(eight.first[2] == 6);
  CHECK(odd.slot_frames == 4);
  CHECK(odd.first[1] == 7);  // 7 frames of gaps: 3 then 4
  CHECK(odd.first[2] == 15);
}

TEST_CASE("action_relations: each class shows the items its name says, and the frames show them where their passes put them") {
  const ImageSet& items = fashion("train");
  ActionRelationsOptions options;
  options.videos = 40;
  ActionRelations set(items, options);
  const int64_t size = options.size, plane = size * size;
  for (int64_t i = 0; i < set.size(); ++i) {
    CAPTURE(i);
    const RelationVideo v = set.video(i);
    const int64_t a = v.passes[0].item, b = v.passes[1].item, c = v.passes[2].item;
    const int64_t ca = category(items, a), cb = category(items, b), cc = category(items, c);
    switch (static_cast<RelationClass>(v.label)) {
      case RelationClass::first_twice:
        CHECK(b == a);
        CHECK(cc != ca);
        break;
      case RelationClass::last_twice:
        CHECK(c == b);
        CHECK(cb != ca);
        break;
      case RelationClass::returns:  // the very same image comes back, after an item of another category
        CHECK(c == a);
        CHECK(cb != ca);
        break;
      case RelationClass::replaced:  // three different categories
        CHECK(cb != ca);
        CHECK(cc != ca);
        CHECK(cc != cb);
        break;
    }
    int64_t label = -1;
    const std::vector<float> pixels = render_pixels(set, i, &label);
    for (int64_t t = 0; t < options.frames; ++t) {
      CAPTURE(t);
      int slot = -1;
      for (int k = 0; k < 3; ++k)
        if (t >= v.slots.first[k] && t < v.slots.first[k] + v.slots.slot_frames) slot = k;
      std::vector<float> expected(static_cast<size_t>(plane), 0.0f);
      if (slot >= 0) {
        const ItemPass& pass = v.passes[slot];
        const auto k = static_cast<size_t>(t - v.slots.first[slot]);
        expected = lone_item_frame(items, pass.item, v.sprite, size, pass.x[k], pass.y[k]);
      }
      double worst = 0, mass = 0;
      for (int64_t j = 0; j < plane; ++j) {
        worst = std::max(worst, std::abs(static_cast<double>(pixels[static_cast<size_t>(t * plane + j)]) - expected[static_cast<size_t>(j)]));
        mass += expected[static_cast<size_t>(j)];
      }
      CHECK(worst < 1e-5);
      CHECK((slot >= 0) == (mass > 1.0));  // a pass shows part of its item in every frame of its slot; gaps are empty
    }
  }
}

TEST_CASE("action_relations: no single frame or slot tells the class: presence, categories, brightness and centroid match across classes") {
  const ImageSet& items = fashion("train");
  ActionRelationsOptions options;
  options.videos = 4 * 300;
  ActionRelations set(items, options);
  const int64_t frames = options.frames, size = options.size, plane = size * size;
  constexpr int64_t kPerClass = 300;
  // Per class: each slot's category histogram, and per frame the number of videos showing an item
  // and the sums of the frame's brightness and intensity-weighted centroid.
  std::vector<std::array<std::array<int64_t, 10>, 3>> categories(kRelationClasses);
  std::vector<std::vector<int64_t>> shown(kRelationClasses, std::vector<int64_t>(static_cast<size_t>(frames), 0));
  std::vector<std::vector<std::array<double, 3>>> sums(kRelationClasses, std::vector<std::array<double, 3>>(static_cast<size_t>(frames)));
  for (int64_t i = 0; i < set.size(); ++i) {
    int64_t label = -1;
    const std::vector<float> pixels = render_pixels(set, i, &label);
    const RelationVideo v = set.video(i);
    for (int k = 0; k < 3; ++k) ++categories[static_cast<size_t>(label)][static_cast<size_t>(k)][static_cast<size_t>(category(items, v.passes[k].item))];
    for (int64_t t = 0; t < frames; ++t) {
      double mass = 0, mx = 0, my = 0;
      for (int64_t j = 0; j < plane; ++j) {
        const double p = pixels[static_cast<size_t>(t * plane + j)];
        mass += p, mx += p * static_cast<double>(j % size), my += p * static_cast<double>(j / size);
      }
      if (mass <= 1e-6) continue;
      auto& s = sums[static_cast<size_t>(label)][static_cast<size_t>(t)];
      ++shown[static_cast<size_t>(label)][static_cast<size_t>(t)];
      s[0] += mass / static_cast<double>(plane), s[1] += mx / mass, s[2] += my / mass;
    }
  }
  for (int64_t t = 0; t < frames; ++t) {
    CAPTURE(t);
    // Every class shows an item in exactly the same frames: the slots' frames, in every video.
    const int64_t expected = (t % 6 < 4) ? kPerClass : 0;
    for (int64_t c = 0; c < kRelationClasses; ++c) CHECK(shown[static_cast<size_t>(c)][static_cast<size_t>(t)] == expected);
    if (expected == 0) continue;
    // One video's frame brightness spreads by about 30% of its mean and its centroid by about 7 px
    // (the item crosses the frame), so 300 videos' means by about 2% and 0.4 px: a class whose
    // items were larger, brighter or placed elsewhere in some frame would stand out.
    const auto& reference = sums[0][static_cast<size_t>(t)];
    for (int64_t c = 1; c < kRelationClasses; ++c) {
      CAPTURE(c);
      const auto& s = sums[static_cast<size_t>(c)][static_cast<size_t>(t)];
      CHECK(std::abs(s[0] - reference[0]) / reference[0] < 0.12);
      CHECK(std::abs(s[1] - reference[1]) / kPerClass < 1.5);
      CHECK(std::abs(s[2] - reference[2]) / kPerClass < 1.5);
    }
  }
  // Every slot's category is uniform in every class: 30 of 300 expected per category, binomial
  // spread about 5; a slot whose category followed the class (say, the returning item always a
  // shoe) would leave some category near 0 or far above 50.
  for (int64_t c = 0; c < kRelationClasses; ++c)
    for (int k = 0; k < 3; ++k)
      for (int64_t g = 0; g < 10; ++g) {
        CAPTURE(c);
        CAPTURE(k);
        CAPTURE(g);
        const int64_t n = categories[static_cast<size_t>(c)][static_cast<size_t>(k)][static_cast<size_t>(g)];
        CHECK(n >= 12);
        CHECK(n <= 50);
      }
}

TEST_CASE("action_relations: the same options give identical bytes, another seed different ones; augmentation only scales") {
  const ImageSet& items = fashion("train");
  ActionRelationsOptions options;
  options.videos = 6;
  ActionRelations a(items, options), b(items, options);
  options.seed = 1;
  ActionRelations other(items, options);
  int64_t la = -1, lb = -1, lo = -1;
  for (int64_t i = 0; i < 6; ++i) {
    CHECK(render_pixels(a, i, &la) == render_pixels(b, i, &lb));
    CHECK(render_pixels(a, i, &la) != render_pixels(other, i, &lo));
    CHECK(la == lo);  // the seed changes the items and motions, not the class order
  }
  std::vector<float> plain(static_cast<size_t>(numel(a.input_shape()))), augmented(plain.size());
  Generator rng(7);
  a.example(3, nullptr, plain.data(), &la);
  a.example(3, &rng, augmented.data(), &lb);
  double ratio = 0;
  for (size_t j = 0; j < plain.size(); ++j) {
    const double p = plain[j] * kActionRelationsStd + kActionRelationsMean, q = augmented[j] * kActionRelationsStd + kActionRelationsMean;
    if (p > 0.5) ratio = q / p;
  }
  CHECK(ratio >= 0.8);
  CHECK(ratio <= 1.2);
  CHECK(ratio != doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("action_relations: bad options and item sets are one error naming the option and the fix") {
  const ImageSet& items = fashion("train");
  ActionRelationsOptions options;
  options.frames = 4;
  CHECK_THROWS_WITH_AS(ActionRelations(items, options), doctest::Contains("action_relations: frames = 4; a clip needs 8 to 64 frames"), Error);
  options = {};
  options.size = 12;
  CHECK_THROWS_WITH_AS(ActionRelations(items, options), doctest::Contains("size = 12; frames must be 24 to 256 pixels"), Error);
  options = {};
  options.videos = 0;
  CHECK_THROWS_WITH_AS(ActionRelations(items, options), doctest::Contains("videos = 0; ask for at least 1 video"), Error);
  CHECK_THROWS_WITH_AS(ActionRelations(ImageSet{}, {}), doctest::Contains("action_relations: the ImageSet of items is empty"), Error);
  ImageSet two;  // items of 2 categories only: no video can show 3 different ones
  two.height = two.width = 28;
  for (int64_t i = 0; i < 4; ++i) {
    two.pixels.insert(two.pixels.end(), 28 * 28, uint8_t{200});
    two.labels.push_back(i % 2);
  }
  two.class_names = fashion_mnist_class_names();
  CHECK_THROWS_WITH_AS(ActionRelations(two, {}), doctest::Contains("holds 2 Fashion-MNIST categories; the classes need 3 different ones"), Error);
  ActionRelations set(items, {.videos = 3});
  CHECK_THROWS_WITH_AS(set.video(3), doctest::Contains("example 3 is outside the set of 3 videos"), Error);
}

TEST_CASE("action_relations: the action task trains C2D with a Non-local block on it and reports 4-class accuracy") {
  test::ScopedBackend backend(test::fastest_backend());
  test::TempDir dir("task_action_relations");
  const std::string path = dir.write("relations.yaml", fmt::format(R"(model:
  backbone: c2d
  widths: [8, 16]
  strides: [1, 2]
  attention: {{type: nonlocal, mode: embedded_gaussian}}
data:
  dataset: action_relations
  frames: 16
  batch_size: 8
  train_size: 16
  val_size: 4
  test_size: 4
train:
  epochs: 1
  log_interval: 1
eval:
  metrics: [top1, video_top1, confusion]
log:
  dir: {}
)",
                                                                   dir.path.string()));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const nlohmann::json result = nlohmann::json::parse(read_file(r.run_dir + "/result.json"));
  CHECK(result.at("task") == "action");
  CHECK(result.at("model") == "c2d + nonlocal embedded_gaussian x1");
  int64_t steps = 0;
  for (const auto& record : read_metrics(r.run_dir + "/metrics.jsonl"))
    if (record.at("type") == "train") ++steps;
  CHECK(steps == 2);  // 16 videos, 8 per batch
  const double top1 = result.at("test").at("top1");
  CHECK(top1 * 4 == doctest::Approx(std::round(top1 * 4)));  // a fraction of the 4 test videos
  CHECK(result.at("test").at("video_top1") == result.at("test").at("top1"));  // one clip per video
  CHECK(std::filesystem::exists(dir.path / "relations" / "confusion.png"));
  // The classifier has the dataset's 4 outputs: a model.num_classes below 4 is refused.
  CHECK_THROWS_WITH_AS(train(load_config(path, {"model.num_classes=3", "log.name=three"}), {.config_path = path, .progress = false}),
                       doctest::Contains("model.num_classes is 3 but action_relations has 4 classes"), Error);
}
