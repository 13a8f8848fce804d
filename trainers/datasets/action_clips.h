// ActionClips: short videos in which two Fashion-MNIST items move, classified by the motion pattern
// of the whole clip (the action recognition task). See docs/datasets.md.
//
// Each video gets one class and two items drawn at random (their Fashion-MNIST categories carry
// no class information): the actor, and a partner that either jitters in place (a distractor) or
// takes part in the motion. The canvas is a torus (an item leaving one edge re-enters at the
// opposite one) and every start position or circle centre is uniform on it, so in every frame of
// every class both items are independently uniform: no single frame tells the class, only how
// frames relate does.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"

namespace gaze {

struct ActionClipsOptions {
  int64_t videos = 1000;
  int64_t clips_per_video = 2;  // windows cut from each video; size() = videos × clips_per_video
  int64_t frames = 8;           // T, frames per clip (2..256)
  int64_t size = 32;            // H = W of a frame (24..256); items are drawn at 7/16 of it
  uint64_t seed = 0;
  int64_t clip_stride = 0;  // frames between the starts of a video's consecutive clips; 0: frames / 2
};

// The classes, in label order. 0-3: the actor moves in a straight line (right, left, down, up)
// while the partner jitters; 4-5: the actor circles clockwise / anticlockwise (on screen) while
// the partner jitters; 6: both items move in the same random direction at the same speed
// ("together"); 7: they move in opposite directions along one random axis ("opposite").
enum class ActionClass : int64_t { right, left, down, up, clockwise, anticlockwise, together, opposite };
inline constexpr int64_t kActionClasses = 8;
const std::vector<std::string>& action_class_names();

// Where the items are in each frame of one clip: what the renderer draws, exposed for tests and
// for anyone checking the labels. Positions are item centres in pixels, wrapped into [0, size).
struct ClipMotion {
  int64_t label = 0;
  int64_t actor_item = 0, partner_item = 0;  // indices into the ImageSet
  int64_t sprite = 0;                        // side of the (square) item sprites in pixels
  std::vector<double> actor_x, actor_y, partner_x, partner_y;  // one per frame of the clip
};

class ActionClips : public ExampleSource {
 public:
  // Keeps a reference to `items` (it must outlive the source). Bad options or an empty or
  // malformed ImageSet are a gaze::Error naming the option and the fix.
  ActionClips(const ImageSet& items, ActionClipsOptions options);

  int64_t size() const override { return options_.videos * options_.clips_per_video; }
  Shape input_shape() const override { return {1, options_.frames, options_.size, options_.size}; }
  Shape target_shape() const override { return {}; }
  // Input: [1, T, size, size], normalized with kActionClipsMean / kActionClipsStd. Target: the
  // class. `augment` scales the clip's intensity by a factor in [0.8, 1.2] (one draw): nothing that
  // could change the motion, so flips and time reversal are not used.
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return action_class_names(); }
  // The video clip `index` was cut from: index / clips_per_video.
  int64_t group(int64_t index) const override { return index / options_.clips_per_video; }

  int64_t label(int64_t index) const;  // the class of clip `index` (balanced: video % 8)
  ClipMotion motion(int64_t index) const;
  int64_t video_frames() const;  // frames of one whole video: frames + (clips_per_video - 1) × stride
  const ActionClipsOptions& options() const { return options_; }

 private:
  const ImageSet& items_;
  ActionClipsOptions options_;
};

// Pixel statistics of rendered clips (intensity in [0, 1]), measured over ~900 examples rendered
// from Fashion-MNIST's training items (seed 0, default options): inputs are (pixel - mean) / std.
inline constexpr float kActionClipsMean = 0.1061f;
inline constexpr float kActionClipsStd = 0.2375f;

}  // namespace gaze
