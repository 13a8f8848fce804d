#include "trainers/datasets/action_relations.h"

#include <algorithm>
#include <cmath>

#include "framework/error.h"
#include "trainers/datasets/item_sprites.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

// How far (in steps of the pass) the item's progress may be shifted, so that passes do not all
// put the item at the same places; small enough that the item is partly visible in every frame
// of its slot.
constexpr double kPhaseJitter = 0.2;

int64_t relation_sprite_side(int64_t size) { return std::max<int64_t>(4, (size * 7 + 8) / 16); }

// Adds the sprite at centre (cx, cy) into `frame` by maximum; what falls outside the canvas is
// not drawn (the canvas has borders: an item leaves through them instead of wrapping around).
void draw_clipped(float* frame, int64_t size, const std::vector<float>& sprite, int64_t side, double cx, double cy) {
  const auto left = static_cast<int64_t>(std::lround(cx - side / 2.0));
  const auto top = static_cast<int64_t>(std::lround(cy - side / 2.0));
  for (int64_t sy = std::max<int64_t>(0, -top); sy < side && top + sy < size; ++sy) {
    float* row = frame + (top + sy) * size;
    const float* source = sprite.data() + sy * side;
    for (int64_t sx = std::max<int64_t>(0, -left); sx < side && left + sx < size; ++sx) row[left + sx] = std::max(row[left + sx], source[sx]);
  }
}

// One pass across the canvas during a slot of `frames` frames: the item enters through a random
// border and leaves through the opposite one, its centre moving from just outside the canvas to
// just outside the other side over frames + 1 steps (so it is partly out of the frame in the
// slot's first and last frames and gone before and after), along a straight, possibly slanted path
// whose ends on the other axis keep it whole on that axis.
ItemPass draw_pass(Generator& rng, int64_t item, int64_t frames, int64_t size, int64_t sprite) {
  const auto side = static_cast<int>(uniform_below(rng, 4));  // 0 from the left, 1 right, 2 top, 3 bottom
  const double phase = kPhaseJitter * (2.0 * rng.uniform() - 1.0);
  const double half = sprite / 2.0, span = static_cast<double>(size) - sprite;
  const double across_start = half + span * rng.uniform(), across_end = half + span * rng.uniform();
  ItemPass pass;
  pass.item = item;
  for (int64_t k = 0; k < frames; ++k) {
    const double progress = (static_cast<double>(k) + 1.0 + phase) / static_cast<double>(frames + 1);
    double along = -half + (static_cast<double>(size) + sprite) * progress;
    if (side == 1 || side == 3) along = static_cast<double>(size) - along;
    const double across = frames > 1 ? across_start + (across_end - across_start) * static_cast<double>(k) / static_cast<double>(frames - 1)
                                     : across_start;
    pass.x.push_back(side < 2 ? along : across);
    pass.y.push_back(side < 2 ? across : along);
  }
  return pass;
}

}  // namespace

const std::vector<std::string>& relation_class_names() {
  static const std::vector<std::string> names{"first_twice", "last_twice", "returns", "replaced"};
  return names;
}

RelationSlots relation_slots(int64_t frames) {
  RelationSlots s;
  s.slot_frames = frames / 4;
  const int64_t gaps = frames - 3 * s.slot_frames, first_gap = gaps / 2;
  s.first[0] = 0;
  s.first[1] = s.slot_frames + first_gap;
  s.first[2] = frames - s.slot_frames;
  return s;
}

ActionRelations::ActionRelations(const ImageSet& items, ActionRelationsOptions options) : items_(items), options_(options) {
  const ActionRelationsOptions& o = options_;
  if (o.videos < 1) fail("action_relations: videos = {}; ask for at least 1 video (the default is 1000)", o.videos);
  if (o.frames < 8 || o.frames > 64)
    fail("action_relations: frames = {}; a clip needs 8 to 64 frames to hold three passes and two gaps (16 is the design: "
         "its first and last passes are 9 frames apart)",
         o.frames);
  if (o.size < 24 || o.size > 256)
    fail("action_relations: size = {}; frames must be 24 to 256 pixels wide so that the items (7/16 of the frame) stay "
         "recognisable (32 is typical)",
         o.size);
  check_item_set("action_relations", items);
  by_category_.assign(10, {});
  for (size_t i = 0; i < items.labels.size(); ++i) by_category_[static_cast<size_t>(items.labels[i])].push_back(static_cast<int64_t>(i));
  for (int64_t c = 0; c < 10; ++c)
    if (!by_category_[static_cast<size_t>(c)].empty()) categories_.push_back(c);
  if (categories_.size() < 3)
    fail("action_relations: the ImageSet of items holds {} Fashion-MNIST categor{}; the classes need 3 different ones per video: "
         "pass a set with items of at least 3 categories (Fashion-MNIST's train or test split)",
         categories_.size(), categories_.size() == 1 ? "y" : "ies");
}

int64_t ActionRelations::label(int64_t index) const { return index % kRelationClasses; }

RelationVideo ActionRelations::video(int64_t index) const {
  if (index < 0 || index >= size()) fail("action_relations: example {} is outside the set of {} videos", index, size());
  Generator rng(derive_seed(SeedPurpose::action_relations_video, {options_.seed, static_cast<uint64_t>(index)}));
  RelationVideo v;
  v.label = label(index);
  v.sprite = relation_sprite_side(options_.size);
  v.slots = relation_slots(options_.frames);

  // Every draw is made for every class, in the same order, so that nothing but the assignment of
  // items to slots depends on the class. Three different categories, uniformly, then one item
  // uniformly within each: the pair (A, B) is exchangeable, so "A A B" and "A B B" show the same
  // set of frames in distribution, and every slot's item is marginally uniform.
  std::vector<int64_t> free = categories_;
  int64_t drawn[3];
  for (int64_t& item : drawn) {
    const auto pick = static_cast<size_t>(uniform_below(rng, free.size()));
    const std::vector<int64_t>& members = by_category_[static_cast<size_t>(free[pick])];
    item = members[uniform_below(rng, members.size())];
    free.erase(free.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  const int64_t a = drawn[0], b = drawn[1], c = drawn[2];
  int64_t slot_items[3] = {a, b, c};
  switch (static_cast<RelationClass>(v.label)) {
    case RelationClass::first_twice: slot_items[1] = a, slot_items[2] = b; break;
    case RelationClass::last_twice: slot_items[2] = b; break;
    case RelationClass::returns: slot_items[2] = a; break;
    case RelationClass::replaced: break;
  }
  for (int k = 0; k < 3; ++k) v.passes[k] = draw_pass(rng, slot_items[k], v.slots.slot_frames, options_.size, v.sprite);
  return v;
}

void ActionRelations::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const RelationVideo v = video(index);
  const int64_t size = options_.size, plane = size * size;
  std::fill_n(input, options_.frames * plane, 0.0f);
  for (int slot = 0; slot < 3; ++slot) {
    const ItemPass& pass = v.passes[slot];
    const std::vector<float> sprite = resize_item(items_, pass.item, v.sprite, v.sprite);
    for (int64_t k = 0; k < v.slots.slot_frames; ++k)
      draw_clipped(input + (v.slots.first[slot] + k) * plane, size, sprite, v.sprite, pass.x[static_cast<size_t>(k)],
                   pass.y[static_cast<size_t>(k)]);
  }
  const float gain = augment ? static_cast<float>(0.8 + 0.4 * augment->uniform()) : 1.0f;
  for (int64_t j = 0; j < options_.frames * plane; ++j)
    input[j] = (input[j] * gain - kActionRelationsMean) / kActionRelationsStd;
  *target = v.label;
}

}  // namespace gaze
