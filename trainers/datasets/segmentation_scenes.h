// SegmentationScenes: canvases of several Fashion-MNIST items at random scales and places, possibly
// overlapping, with a label per pixel (the segmentation task). See docs/datasets.md.
//
// Some items have their interior filled with a texture drawn independently of their class
// (stripes, checks or noise), and textured patches of the same kinds lie in the background: inside
// such an item the pixels look alike whatever the class, so only the item's silhouette, context
// across the object, decides their label.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"

namespace gaze {

// The label of pixels that mix two labels (antialiased item edges): losses and metrics skip it.
inline constexpr int64_t kSegmentationIgnore = 255;

struct SegmentationScenesOptions {
  int64_t scenes = 1000;
  int64_t size = 64;  // H = W (32..512)
  int64_t min_items = 2, max_items = 4;
  double min_side = 0.35, max_side = 0.70;  // an item's side, as a fraction of the canvas
  uint64_t seed = 0;
  double textured = 0.5;  // the chance that an item's interior is a class-independent texture
  int64_t clutter = 1;    // textured background patches per scene (0..clutter, uniformly)
  // 0: each item's class is drawn on its own. k >= 1: a scene's items all come from k classes drawn
  // for that scene (like a street scene's cars), so a textured item's class can be read off the
  // clear items elsewhere in the scene, context no nearby pixel holds.
  int64_t classes_per_scene = 0;
};

enum class TextureKind : int64_t { none, stripes, checks, noise };

// A texture: two intensities alternating in stripes (of `period` pixels, at `angle` radians) or
// checks (cells of `period` pixels), or noise uniform between them (hashed from `noise_seed`).
struct SceneTexture {
  TextureKind kind = TextureKind::none;
  double period = 4.0, angle = 0.0, low = 0.3, high = 1.0;
  uint64_t noise_seed = 0;
};

// One item of a scene, in drawing order (later items cover earlier ones).
struct SceneItem {
  int64_t item = 0;   // index into the ImageSet
  int64_t label = 0;  // its Fashion-MNIST class + 1
  int64_t left = 0, top = 0, side = 0;  // its square box on the canvas (always inside it)
  SceneTexture texture;  // kind none: the item's own pixels
};

// A textured rectangle of the background (label 0), drawn before the items.
struct ScenePatch {
  int64_t left = 0, top = 0, width = 0, height = 0;
  SceneTexture texture;
};

struct SceneLayout {
  std::vector<ScenePatch> patches;
  std::vector<SceneItem> items;
};

class SegmentationScenes : public ExampleSource {
 public:
  // Keeps a reference to `items` (it must outlive the source). Bad options or an empty or
  // malformed ImageSet are a gaze::Error naming the option and the fix.
  SegmentationScenes(const ImageSet& items, SegmentationScenesOptions options);

  int64_t size() const override { return options_.scenes; }
  Shape input_shape() const override { return {1, options_.size, options_.size}; }
  Shape target_shape() const override { return {options_.size, options_.size}; }
  // Input: [1, size, size] normalized with kSegmentationMean / kSegmentationStd. Target: [size,
  // size], 0 background, 1..10 an item's Fashion-MNIST class + 1, kSegmentationIgnore where an
  // item's antialiased edge mixes two labels. `augment` flips image and labels left-right with
  // probability 1/2, then scales the intensity by a factor in [0.8, 1.2] (two draws).
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  // {"background", then Fashion-MNIST's ten class names}.
  const std::vector<std::string>& class_names() const override;

  SceneLayout layout(int64_t index) const;
  const SegmentationScenesOptions& options() const { return options_; }

 private:
  const ImageSet& items_;
  SegmentationScenesOptions options_;
  std::vector<std::vector<int64_t>> items_of_class_;  // filled when classes_per_scene > 0
};

// Pixel statistics of rendered scenes (intensity in [0, 1]), measured over ~900 examples rendered
// from Fashion-MNIST's training items (seed 0, default options): inputs are (pixel - mean) / std.
inline constexpr float kSegmentationMean = 0.1827f;
inline constexpr float kSegmentationStd = 0.3003f;

}  // namespace gaze
