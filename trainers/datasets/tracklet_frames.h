// Real re-ID tracklets (MARS, DukeMTMC-VideoReID: mars_layout.h, duke_video_layout.h): each a list
// of frame files of one identity seen by one camera. TrackletFrames picks `frames` of them per
// example and resizes each to height × width (torchreid's VideoDataset):
//   training with augmentation: restricted random sampling (the tracklet cut into `frames` equal
//     chunks, one random frame from each), the whole tracklet mirrored with probability 1/2;
//   otherwise: torchreid's 'evenly' sampling (the first frame of each equal chunk once the length
//     is cut to a multiple of `frames`; a shorter tracklet repeats its last frame).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "framework/random.h"
#include "trainers/lib/data/example_source.h"

namespace gaze {

struct Tracklet {
  std::vector<std::string> frames;  // frame files in temporal order
  int64_t identity = 0;             // the target: relabelled 0..N-1 for training, the dataset's own id for testing
  int64_t camera = 0;               // 0-based
};

// Frame indices into a tracklet of `length` frames.
std::vector<int64_t> restricted_random_frames(int64_t length, int64_t frames, Generator& rng);
std::vector<int64_t> evenly_spaced_frames(int64_t length, int64_t frames);

struct TrackletFramesOptions {
  int64_t frames = 8;                  // T, torchreid's seq_len
  int64_t height = 256, width = 128;   // every frame is resized to this
};

class TrackletFrames : public ExampleSource {
 public:
  // `names`: one class name per training identity (empty for query and gallery, whose targets
  // are the dataset's ids).
  TrackletFrames(std::vector<Tracklet> tracklets, TrackletFramesOptions options, std::vector<std::string> names);

  int64_t size() const override { return static_cast<int64_t>(tracklets_.size()); }
  Shape input_shape() const override { return {3, options_.frames, options_.height, options_.width}; }
  Shape target_shape() const override { return {}; }
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return names_; }
  int64_t group(int64_t index) const override { return tracklet(index).identity; }
  int64_t camera(int64_t index) const override { return tracklet(index).camera; }

  const Tracklet& tracklet(int64_t index) const { return tracklets_[static_cast<size_t>(index)]; }

 private:
  std::vector<Tracklet> tracklets_;
  TrackletFramesOptions options_;
  std::vector<std::string> names_;
};

// Relabels training tracklets' identities to 0..N-1 in increasing order of the dataset's ids (as
// torchreid does) and returns the class names ("id <dataset id>").
std::vector<std::string> relabel_identities(std::vector<Tracklet>& tracklets);

}  // namespace gaze
