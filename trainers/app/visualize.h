// Attention maps of a trained model as pictures: every attention layer records its map for a few
// images (layers/attention/attention_map.h) and each spatial map is laid over its image
// (write_attention_png). Maps without a spatial layout (SE's and CAM's channel weights) are listed
// as skipped, not drawn.
#pragma once
#include <string>
#include <vector>

#include "layers/module.h"
#include "trainers/lib/data/example_source.h"

namespace gaze {

struct AttentionPictures {
  std::vector<std::string> written;  // PNG paths
  std::vector<std::string> skipped;  // "layer: why"
};

// The first `images` examples of `source` (images, or clips and tracklets, drawn by their middle
// frame); pictures go to out_dir/img<k>_<label>/<layer>.png beside the input itself (input.png),
// enlarged (nearest) to at least 224 pixels wide.
AttentionPictures write_attention_pictures(Module& model, const ExampleSource& source, int64_t images, const std::string& out_dir);

// The map of one image as [h, w] when it has a spatial layout, else undefined:
//   [N, C, h, w] (BAM, coordinate attention, spatial gates, pyramid attention): mean over C
//   [N, Q, K] with K = h·w key positions (PAM, non-local, sub-sampled or not): mean attention each
//   key position receives, as [h, w]; with K = t·h·w (a space-time non-local block on a clip of
//   up to `frames` frames): also averaged over time
//   [N, C, t, h, w] (spatio-temporal gates): mean over C and t
Tensor spatial_attention_map(const Tensor& map, int64_t image, int64_t frames = 1);

}  // namespace gaze
