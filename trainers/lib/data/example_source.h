// ExampleSource: a dataset seen one example at a time, whatever the task. Fashion-MNIST images
// (image_set_source.h) and the synthetic video, scene and tracklet sets (action_clips.h,
// segmentation_scenes.h, reid_tracklets.h) all implement it, so one DataLoader batches them all.
//
// The synthetic sets render example i as a pure function of (their seed, i): nothing is stored,
// any example can be recomputed, and a run resumed mid-epoch sees what an uninterrupted one saw.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/random.h"
#include "framework/shape.h"

namespace gaze {

class ExampleSource {
 public:
  virtual ~ExampleSource() = default;

  virtual int64_t size() const = 0;
  // One example's input, e.g. [C, H, W] for an image or [C, T, H, W] for a clip.
  virtual Shape input_shape() const = 0;
  // One example's target: {} for one class index, [H, W] for a label per pixel.
  virtual Shape target_shape() const = 0;

  // Writes example `index` (0 <= index < size()): its input, normalized, as numel(input_shape())
  // floats into `input`, and its target as max(1, numel(target_shape())) values into `target`.
  // `augment` is null for no augmentation (evaluation); otherwise the random training-time
  // transforms draw from it, in order, so a batch's examples share one seeded stream.
  virtual void example(int64_t index, Generator* augment, float* input, int64_t* target) const = 0;

  // Names of the target's classes, in label order.
  virtual const std::vector<std::string>& class_names() const = 0;

  // The group example `index` belongs to: the video a clip was cut from (video accuracy averages
  // a video's clips), the identity a tracklet shows (re-ID's PK sampler and its evaluation). By
  // default every example is its own group.
  virtual int64_t group(int64_t index) const { return index; }
  // The camera a tracklet was seen by (re-ID); 0 for data without cameras.
  virtual int64_t camera(int64_t index) const {
    (void)index;
    return 0;
  }
};

}  // namespace gaze
