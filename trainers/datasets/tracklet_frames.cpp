#include "trainers/datasets/tracklet_frames.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "framework/error.h"
#include "trainers/datasets/frame_resample.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

std::vector<int64_t> restricted_random_frames(int64_t length, int64_t frames, Generator& rng) {
  if (length < 1 || frames < 1) fail("tracklet sampling: {} frames from a tracklet of {}", frames, length);
  std::vector<int64_t> picked;
  for (int64_t k = 0; k < frames; ++k) {
    const int64_t begin = k * length / frames, end = std::max(begin + 1, (k + 1) * length / frames);
    picked.push_back(std::min(end - 1, begin + static_cast<int64_t>(rng.uniform() * static_cast<double>(end - begin))));
  }
  return picked;
}

std::vector<int64_t> evenly_spaced_frames(int64_t length, int64_t frames) {
  if (length < 1 || frames < 1) fail("tracklet sampling: {} frames from a tracklet of {}", frames, length);
  std::vector<int64_t> picked;
  if (length >= frames) {
    const int64_t step = (length - length % frames) / frames;
    for (int64_t k = 0; k < frames; ++k) picked.push_back(k * step);
  } else {
    for (int64_t k = 0; k < frames; ++k) picked.push_back(std::min(k, length - 1));
  }
  return picked;
}

TrackletFrames::TrackletFrames(std::vector<Tracklet> tracklets, TrackletFramesOptions options, std::vector<std::string> names)
    : tracklets_(std::move(tracklets)), options_(options), names_(std::move(names)) {
  if (options_.frames < 1 || options_.height < 1 || options_.width < 1)
    fail("tracklets: data.frames ({}) and data.frame_size ({}x{}) must be positive", options_.frames, options_.height, options_.width);
  for (const Tracklet& t : tracklets_)
    if (t.frames.empty()) fail("tracklets: a tracklet of identity {} has no frames", t.identity);
}

void TrackletFrames::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  const Tracklet& t = tracklet(index);
  const auto length = static_cast<int64_t>(t.frames.size());
  const std::vector<int64_t> picked = augment ? restricted_random_frames(length, options_.frames, *augment) : evenly_spaced_frames(length, options_.frames);
  const bool mirror = augment && augment->uniform() < 0.5;
  const int64_t plane = options_.height * options_.width;
  for (int64_t k = 0; k < options_.frames; ++k) {
    const DecodedImage image = read_image(t.frames[static_cast<size_t>(picked[static_cast<size_t>(k)])], 3);
    const FrameWindow window{options_.height, options_.width, 0, 0, options_.height, options_.width, mirror};
    resample_frame(image, window, input + k * plane, options_.frames * plane);
  }
  *target = t.identity;
}

std::vector<std::string> relabel_identities(std::vector<Tracklet>& tracklets) {
  std::map<int64_t, int64_t> label;
  for (const Tracklet& t : tracklets) label.emplace(t.identity, 0);
  std::vector<std::string> names;
  for (auto& [id, value] : label) {
    value = static_cast<int64_t>(names.size());
    names.push_back(fmt::format("id {}", id));
  }
  for (Tracklet& t : tracklets) t.identity = label.at(t.identity);
  return names;
}

}  // namespace gaze
