// ReidTracklets: video re-identification of Fashion-MNIST item instances seen through several
// "cameras" (the video re-ID task). See docs/datasets.md.
//
// An identity is one item image (an instance, not a category: a hundred shirts are a hundred
// identities), with an instance signature of colours and a faint stripe pattern derived from its
// pixels. Each camera applies its own fixed photometric change (gain, colour cast, haze, noise,
// background) and geometric change (scale, offset, mirroring, blur); a tracklet is a few frames of
// one identity through one camera with small per-frame motion, and some tracklets have occluded or
// corrupted frames. Train and test identities are disjoint because the caller builds the training
// source from the train split's images and the evaluation split from the test split's.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"

namespace gaze {

struct ReidTrackletsOptions {
  int64_t identities = 100;         // training: identities to learn; evaluation: query identities
  int64_t cameras = 3;              // 2..16
  int64_t tracklets_per_camera = 2; // per identity and camera
  int64_t frames = 4;               // T, frames per tracklet (1..64)
  int64_t size = 32;                // H = W of a frame (24..256)
  double occlusion = 0.2;           // the chance that a tracklet has occluded or corrupted frames
  double motion = 0.5;              // per-frame drift of the item (a random walk), pixels (std per axis)
  int64_t distractors = 20;         // evaluation only: gallery identities that are never queried
  uint64_t seed = 0;  // the cameras and the choice of identities; use the same for training and evaluation
};

// Which tracklets a source holds: every (identity, camera, tracklet) of the training identities;
// the query tracklets (one camera per identity); or the gallery (the other cameras' tracklets of the
// query identities, and every tracklet of the distractors).
enum class ReidRole { train, query, gallery };

// One camera's fixed change of every frame it sees.
struct ReidCamera {
  double scale = 0.8;           // item side as a fraction of the frame
  double shift_x = 0, shift_y = 0;  // item centre offset from the frame centre, pixels
  bool mirror = false;          // seen from the other side
  bool blur = false;            // a 3×3 box blur (out of focus)
  double gain = 1.0;            // brightness and contrast
  std::array<double, 3> cast{1, 1, 1};       // colour cast, per RGB channel
  std::array<double, 3> background{0, 0, 0};  // the scene behind the items
  double haze = 0.0;            // added to every channel
  double noise = 0.03;          // sensor noise, standard deviation
};

// One tracklet: which identity, through which camera.
struct ReidTracklet {
  int64_t identity = 0;  // the target: 0..identities-1, distractors identities..identities+distractors-1
  int64_t item = 0;      // the identity's index in the ImageSet
  int64_t camera = 0;
  int64_t index = 0;     // which of the identity's tracklets in that camera (0..tracklets_per_camera-1)
};

class ReidTracklets : public ExampleSource {
 public:
  // Keeps a reference to `items` (it must outlive the source). Identities are the first
  // `identities` (then, for evaluation, `distractors`) items of a permutation seeded by
  // options.seed. Bad options or too few items are a gaze::Error naming the option and the fix.
  ReidTracklets(const ImageSet& items, ReidTrackletsOptions options, ReidRole role = ReidRole::train);

  int64_t size() const override { return static_cast<int64_t>(tracklets_.size()); }
  Shape input_shape() const override { return {3, options_.frames, options_.size, options_.size}; }
  Shape target_shape() const override { return {}; }
  // Input: RGB [3, T, size, size] normalized with kReidMean / kReidStd. Target: the identity.
  // `augment` shifts the tracklet by up to 2 pixels each way and flips it left-right with
  // probability 1/2 (three draws).
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  // "id 0", "id 1", ... one per target value (distractors included for the gallery).
  const std::vector<std::string>& class_names() const override { return names_; }
  int64_t group(int64_t index) const override { return tracklet(index).identity; }
  int64_t camera(int64_t index) const override { return tracklet(index).camera; }

  const ReidTracklet& tracklet(int64_t index) const;
  ReidCamera camera_model(int64_t camera) const;
  // The camera whose tracklets are identity `identity`'s queries (evaluation identities only).
  int64_t query_camera(int64_t identity) const;
  ReidRole role() const { return role_; }
  const ReidTrackletsOptions& options() const { return options_; }

 private:
  const ImageSet& items_;
  ReidTrackletsOptions options_;
  ReidRole role_;
  std::vector<int64_t> identity_items_;  // identity -> item index
  std::vector<ReidTracklet> tracklets_;
  std::vector<ReidCamera> cameras_;
  std::vector<std::string> names_;
};

// The two halves of a re-ID evaluation, built from the test split's items with the options the
// model was trained with: rank gallery tracklets by similarity to each query and score by identity.
struct ReidEvaluationSplit {
  ReidTracklets query, gallery;
};
ReidEvaluationSplit make_reid_evaluation(const ImageSet& test_items, const ReidTrackletsOptions& options);

// Pixel statistics of rendered tracklets (all channels, intensity in [0, 1]), measured over ~900
// examples rendered from Fashion-MNIST's training items (seed 0, default options): inputs are
// (pixel - mean) / std.
inline constexpr float kReidMean = 0.2912f;
inline constexpr float kReidStd = 0.1953f;

}  // namespace gaze
