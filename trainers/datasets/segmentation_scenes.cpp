#include "trainers/datasets/segmentation_scenes.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "framework/error.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

constexpr double kMinPatch = 0.15, kMaxPatch = 0.35;
// Coverage at least kLabelled takes the item's label, at most 1 - kLabelled keeps what lies
// below; in between the pixel is a mixture and gets kSegmentationIgnore.
constexpr float kLabelled = 0.75f;

uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The texture's intensity at canvas pixel (x, y): it is anchored to the canvas, not the item, so
// an item's texture says nothing about where the item is.
float texture_at(const SceneTexture& t, int64_t x, int64_t y) {
  bool high = false;
  switch (t.kind) {
    case TextureKind::none: return 0.0f;
    case TextureKind::stripes: {
      const double u = static_cast<double>(x) * std::cos(t.angle) + static_cast<double>(y) * std::sin(t.angle);
      high = std::fmod(std::fmod(u / t.period, 1.0) + 1.0, 1.0) < 0.5;
      break;
    }
    case TextureKind::checks: {
      const auto cell = static_cast<int64_t>(t.period);
      high = ((x / cell) + (y / cell)) % 2 == 0;
      break;
    }
    case TextureKind::noise: {
      const double u = static_cast<double>(mix(t.noise_seed ^ mix(static_cast<uint64_t>(y * 4099 + x))) >> 11) * 0x1.0p-53;
      return static_cast<float>(t.low + (t.high - t.low) * u);
    }
  }
  return static_cast<float>(high ? t.high : t.low);
}

SceneTexture draw_texture(Generator& rng) {
  SceneTexture t;
  t.kind = static_cast<TextureKind>(1 + uniform_below(rng, 3));
  t.period = 3.0 + 4.0 * rng.uniform();
  t.angle = std::numbers::pi * rng.uniform();
  t.low = 0.15 + 0.3 * rng.uniform();
  t.high = 0.7 + 0.3 * rng.uniform();
  t.noise_seed = rng.next_u64();
  return t;
}

}  // namespace

SegmentationScenes::SegmentationScenes(const ImageSet& items, SegmentationScenesOptions options)
    : items_(items), options_(options) {
  const SegmentationScenesOptions& o = options_;
  if (o.scenes < 1) fail("segmentation_scenes: scenes = {}; ask for at least 1 scene (the default is 1000)", o.scenes);
  if (o.size < 32 || o.size > 512)
    fail("segmentation_scenes: size = {}; canvases must be 32 to 512 pixels wide so that the smallest items (35% of "
         "it) keep their silhouette (64 to 96 is typical)",
         o.size);
  if (o.min_items < 1 || o.max_items < o.min_items || o.max_items > 16)
    fail("segmentation_scenes: min_items = {}, max_items = {}; need 1 <= min_items <= max_items <= 16 (the default "
         "is 2 to 4)",
         o.min_items, o.max_items);
  if (!(o.min_side > 0.0 && o.min_side <= o.max_side && o.max_side <= 1.0))
    fail("segmentation_scenes: item sides {} to {} of the canvas; need 0 < min_side <= max_side <= 1 (the default is 0.35 "
         "to 0.7)",
         o.min_side, o.max_side);
  if (!(o.textured >= 0.0 && o.textured <= 1.0))
    fail("segmentation_scenes: textured = {} is a probability; give a value in [0, 1] (the default is 0.5)", o.textured);
  if (o.clutter < 0 || o.clutter > 16)
    fail("segmentation_scenes: clutter = {}; give 0 to 16 background patches (the default is 1)", o.clutter);
  check_item_set("segmentation_scenes", items);
  if (o.classes_per_scene > 0) {
    for (size_t i = 0; i < items.labels.size(); ++i) {
      const auto label = static_cast<size_t>(items.labels[i]);
      if (label >= items_of_class_.size()) items_of_class_.resize(label + 1);
      items_of_class_[label].push_back(static_cast<int64_t>(i));
    }
    std::erase_if(items_of_class_, [](const std::vector<int64_t>& members) { return members.empty(); });
    if (o.classes_per_scene > static_cast<int64_t>(items_of_class_.size()))
      fail("segmentation_scenes: classes_per_scene = {}, but the item set has {} classes; give 0 (independent items) to {}",
           o.classes_per_scene, items_of_class_.size(), items_of_class_.size());
  }
}

const std::vector<std::string>& SegmentationScenes::class_names() const {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{"background"};
    for (const std::string& name : fashion_mnist_class_names()) n.push_back(name);
    return n;
  }();
  return names;
}

SceneLayout SegmentationScenes::layout(int64_t index) const {
  if (index < 0 || index >= size())
    fail("segmentation_scenes: example {} is outside the set of {} scenes", index, size());
  Generator rng(derive_seed(SeedPurpose::segmentation_scene, {options_.seed, static_cast<uint64_t>(index)}));
  const int64_t size = options_.size;
  const auto canvas = static_cast<double>(size);
  SceneLayout layout;
  const auto patches = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(options_.clutter) + 1));
  for (int64_t p = 0; p < patches; ++p) {
    ScenePatch patch;
    patch.width = static_cast<int64_t>((kMinPatch + (kMaxPatch - kMinPatch) * rng.uniform()) * canvas);
    patch.height = static_cast<int64_t>((kMinPatch + (kMaxPatch - kMinPatch) * rng.uniform()) * canvas);
    patch.left = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(size - patch.width + 1)));
    patch.top = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(size - patch.height + 1)));
    patch.texture = draw_texture(rng);
    layout.patches.push_back(patch);
  }
  // The scene's classes (when it has few): a partial shuffle of the non-empty classes.
  std::vector<size_t> scene_classes(items_of_class_.size());
  for (size_t c = 0; c < scene_classes.size(); ++c) scene_classes[c] = c;
  for (size_t c = 0; c < static_cast<size_t>(options_.classes_per_scene); ++c)
    std::swap(scene_classes[c], scene_classes[c + uniform_below(rng, scene_classes.size() - c)]);
  const int64_t count =
      options_.min_items + static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(options_.max_items - options_.min_items + 1)));
  for (int64_t k = 0; k < count; ++k) {
    SceneItem item;
    if (options_.classes_per_scene > 0) {
      const auto& members = items_of_class_[scene_classes[uniform_below(rng, static_cast<uint64_t>(options_.classes_per_scene))]];
      item.item = members[uniform_below(rng, members.size())];
    } else {
      item.item = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(items_.size())));
    }
    item.label = items_.labels[static_cast<size_t>(item.item)] + 1;
    item.side = std::max<int64_t>(8, static_cast<int64_t>((options_.min_side + (options_.max_side - options_.min_side) * rng.uniform()) * canvas));
    item.left = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(size - item.side + 1)));
    item.top = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(size - item.side + 1)));
    const bool textured = rng.uniform() < options_.textured;
    const SceneTexture texture = draw_texture(rng);  // drawn either way: the stream stays aligned
    if (textured) item.texture = texture;
    layout.items.push_back(item);
  }
  return layout;
}

void SegmentationScenes::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const SceneLayout scene = layout(index);
  const int64_t size = options_.size;
  std::fill_n(input, size * size, 0.0f);
  std::fill_n(target, size * size, int64_t{0});
  for (const ScenePatch& patch : scene.patches)
    for (int64_t y = patch.top; y < patch.top + patch.height; ++y)
      for (int64_t x = patch.left; x < patch.left + patch.width; ++x) input[y * size + x] = texture_at(patch.texture, x, y);

  for (const SceneItem& item : scene.items) {
    const std::vector<float> sprite = resize_item(items_, item.item, item.side, item.side);
    for (int64_t sy = 0; sy < item.side; ++sy)
      for (int64_t sx = 0; sx < item.side; ++sx) {
        const float value = sprite[static_cast<size_t>(sy * item.side + sx)];
        const float coverage = std::min(1.0f, value / kItemSolid);
        if (coverage <= 0.0f) continue;
        const int64_t x = item.left + sx, y = item.top + sy, j = y * size + x;
        const float look = item.texture.kind == TextureKind::none ? value : texture_at(item.texture, x, y);
        input[j] = coverage * look + (1.0f - coverage) * input[j];
        if (coverage >= kLabelled) target[j] = item.label;
        else if (coverage > 1.0f - kLabelled) target[j] = kSegmentationIgnore;
      }
  }

  if (augment && augment->uniform() < 0.5) {
    for (int64_t y = 0; y < size; ++y) {
      std::reverse(input + y * size, input + (y + 1) * size);
      std::reverse(target + y * size, target + (y + 1) * size);
    }
  }
  const float gain = augment ? static_cast<float>(0.8 + 0.4 * augment->uniform()) : 1.0f;
  for (int64_t j = 0; j < size * size; ++j) input[j] = (input[j] * gain - kSegmentationMean) / kSegmentationStd;
}

}  // namespace gaze
