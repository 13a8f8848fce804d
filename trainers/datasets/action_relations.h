// ActionRelations: short videos in which three Fashion-MNIST items pass across a bordered canvas
// one after another, classified by how the three passes relate: which of them show the same item,
// and in which order. See docs/datasets.md ("Action relations").
//
// The clip is cut into three equal slots separated by two empty gaps (16 frames: slots 0-3, 6-9,
// 12-15). In each slot one item enters through a border, crosses the canvas and leaves through
// the opposite border; in the gaps the canvas is empty. Which item passes in which slot is the
// class; everything else (the categories, the motions, the timings) is drawn alike for every
// class, so every single frame, and every slot taken alone, has the same distribution in all four
// classes. The first and the third slot are frames − 2·slot + 1 frames apart (9 at 16 frames): no
// 9-frame window, the temporal receptive field of gaze's small i3d, sees both.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"

namespace gaze {

struct ActionRelationsOptions {
  int64_t videos = 1000;  // one clip per video: the relations span the whole clip
  int64_t frames = 16;    // T, frames per clip (8..64); the slots and gaps scale with it
  int64_t size = 32;      // H = W of a frame (24..256); items are drawn at 7/16 of it
  uint64_t seed = 0;
};

// The classes, in label order, by the items of the three passes (A, B, C: items of three
// different Fashion-MNIST categories):
//   first_twice  A A B   the first item passes twice, then another one
//   last_twice   A B B   an item passes once, then another one twice
//   returns      A B A   an item leaves, another passes, the first one comes back
//   replaced     A B C   three different items
// The first three show the same items the same number of times: only the order tells them apart.
enum class RelationClass : int64_t { first_twice, last_twice, returns, replaced };
inline constexpr int64_t kRelationClasses = 4;
const std::vector<std::string>& relation_class_names();

// Where the clip's slots lie: slot k covers frames [first(k), first(k) + slot_frames).
struct RelationSlots {
  int64_t slot_frames = 0;
  int64_t first[3] = {0, 0, 0};
};
// frames / 4 frames per slot, the rest split between the two gaps (the first gets the smaller half).
RelationSlots relation_slots(int64_t frames);

// One item's pass: the item (an index into the ImageSet) and its centre in each frame of its slot,
// in pixels; the centre may lie outside the canvas (the item is partly out of the frame).
struct ItemPass {
  int64_t item = 0;
  std::vector<double> x, y;  // slot_frames each
};

// What the renderer draws, exposed for tests and for anyone checking the labels.
struct RelationVideo {
  int64_t label = 0;
  int64_t sprite = 0;  // side of the (square) item sprites in pixels
  RelationSlots slots;
  ItemPass passes[3];
};

class ActionRelations : public ExampleSource {
 public:
  // Keeps a reference to `items` (it must outlive the source). Bad options, an empty or malformed
  // ImageSet, or one with fewer than 3 categories are a gaze::Error naming the option and the fix.
  ActionRelations(const ImageSet& items, ActionRelationsOptions options);

  int64_t size() const override { return options_.videos; }
  Shape input_shape() const override { return {1, options_.frames, options_.size, options_.size}; }
  Shape target_shape() const override { return {}; }
  // Input: [1, T, size, size], normalized with kActionRelationsMean / kActionRelationsStd. Target:
  // the class. `augment` scales the clip's intensity by a factor in [0.8, 1.2] (one draw).
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return relation_class_names(); }
  int64_t group(int64_t index) const override { return index; }  // one clip per video

  int64_t label(int64_t index) const;  // balanced: index % 4
  RelationVideo video(int64_t index) const;
  const ActionRelationsOptions& options() const { return options_; }

 private:
  const ImageSet& items_;
  ActionRelationsOptions options_;
  std::vector<int64_t> categories_;                // the categories the ImageSet holds, ascending
  std::vector<std::vector<int64_t>> by_category_;  // the items of each of them
};

// Pixel statistics of rendered clips (intensity in [0, 1]), measured over 1000 examples rendered
// from Fashion-MNIST's training items (seed 0, default options): inputs are (pixel - mean) / std.
inline constexpr float kActionRelationsMean = 0.0354f;
inline constexpr float kActionRelationsStd = 0.1457f;

}  // namespace gaze
