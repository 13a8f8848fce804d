// What the synthetic sets share: checking the ImageSet of items they are built from, and resizing
// one 8-bit item image to a float sprite of any size (the items are drawn at many scales).
#pragma once
#include <cstdint>
#include <vector>

#include "trainers/lib/data/image_set.h"

namespace gaze {

// Fails with a gaze::Error naming `what` (the generator) unless `items` holds at least one
// single-channel image whose pixel buffer matches its labels, each label a Fashion-MNIST class (0..9).
void check_item_set(const char* what, const ImageSet& items);

// Item `index` of `items` (one channel) resized to out_height × out_width, values pixel / 255 in
// [0, 1]. A separable triangle filter whose support widens with the reduction (PIL's antialiased
// bilinear): shrinking averages the pixels a target pixel covers instead of skipping them, so
// small sprites keep the item's shape without aliasing.
std::vector<float> resize_item(const ImageSet& items, int64_t index, int64_t out_height, int64_t out_width);

// An item covers a pixel where its resized intensity reaches kItemSolid (Fashion-MNIST's background
// is 0, its items' pixels mostly far above); below that the coverage falls linearly to 0, so the
// antialiased rim of an item is a partial coverage.
constexpr float kItemSolid = 0.12f;

// 64-bit FNV-1a of item `index`'s pixels: a seed that belongs to the item instance itself.
uint64_t item_fingerprint(const ImageSet& items, int64_t index);

}  // namespace gaze
