// Sample pictures of any ExampleSource: what a task's examples look like, for docs/datasets.md and
// for `gaze samples`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"

namespace gaze {

// One PNG, one example per row, each row headed by its label: the class name (and the camera,
// for sources with cameras). Clips and tracklets ([C, T, H, W]) show their frames left to right;
// images ([C, H, W]) show the image, and with a per-pixel target ([H, W]) its label map beside it
// in a fixed palette with a legend (ignored pixels, label 255, in white). Each example is shown
// unaugmented, each frame stretched from its 1st percentile (black) to its 99th (white); 3 channels as RGB,
// otherwise the first channel as grey. Written atomically. An index outside the source, no
// indices, or an input shape other than 3-D or 4-D is a gaze::Error.
void write_samples_png(const ExampleSource& source, const std::string& path, const std::vector<int64_t>& indices);
// The first `count` examples worth a row each: the first of every distinct (group, camera), in index
// order — one clip per video, one tracklet per identity and camera, every scene.
std::vector<int64_t> distinct_examples(const ExampleSource& source, int64_t count);
// The PNG of distinct_examples(source, count).
void write_samples_png(const ExampleSource& source, const std::string& path, int64_t count);

}  // namespace gaze
