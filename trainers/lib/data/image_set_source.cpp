#include "trainers/lib/data/image_set_source.h"

#include "framework/error.h"

namespace gaze {

namespace {

// A pixel buffer shorter than the labels promise would be read out of bounds.
void check_whole(const ImageSet& set) {
  const auto needed = static_cast<size_t>(set.size() * set.image_bytes());
  if (set.pixels.size() != needed)
    fail("image set: the set's {} images of {}×{}×{} need {} pixel bytes, it holds {}", set.size(), set.channels, set.height, set.width,
         needed, set.pixels.size());
}

}  // namespace

ImageSetSource::ImageSetSource(const ImageSet& set, TransformOptions transforms) : set_(set), transforms_(std::move(transforms)) {
  validate_transforms(transforms_, set_.channels);
  check_whole(set_);
}

void ImageSetSource::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  check_whole(set_);  // again: the set may have changed since (it is held by reference)
  if (index < 0 || index >= set_.size()) fail("image set: index {} is outside the set of {} images", index, set_.size());
  thread_local Generator unused(0);  // never drawn from: without augmentation only normalize applies
  transform_image(set_, index, transforms_, augment != nullptr, augment ? *augment : unused, input);
  *target = set_.labels[static_cast<size_t>(index)];
}

}  // namespace gaze
