// How `gaze visualize` reads an attention map as a picture over the input.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "trainers/app/visualize.h"

using namespace gaze;

TEST_CASE("visualize: a [N, queries, keys] map becomes the attention each key position receives, averaged over time") {
  // One clip, 3 queries, keys = t 2 × 2 × 2 positions: key k gets weight k from every query.
  std::vector<float> values;
  for (int q = 0; q < 3; ++q)
    for (int k = 0; k < 8; ++k) values.push_back(static_cast<float>(k));
  const Tensor map = from_vector(values, {1, 3, 8});
  const Tensor picture = spatial_attention_map(map, 0, /*frames=*/2);
  REQUIRE(picture.shape() == Shape{2, 2});
  // Position (y, x) is key y·2 + x at t = 0 and 4 + y·2 + x at t = 1: their mean.
  CHECK(picture.to_vector<float>() == std::vector<float>{2.0f, 3.0f, 4.0f, 5.0f});
  // A square PAM map on a 2×2 image, as before.
  const Tensor square = spatial_attention_map(from_vector(std::vector<float>(16, 0.25f), {1, 4, 4}), 0);
  CHECK(square.shape() == Shape{2, 2});
  // Keys that are no t·side² have no layout.
  CHECK_FALSE(spatial_attention_map(from_vector(std::vector<float>(6, 1.0f), {1, 2, 3}), 0, 1).defined());
}

TEST_CASE("visualize: channel maps are not drawn as if they were over positions") {
  ChannelAttention cam(ChannelAttentionOptions{.channels = 16});
  PositionAttention pam(PositionAttentionOptions{.channels = 16});
  NonLocal nl(NonLocalOptions{.channels = 8});
  CHECK_FALSE(cam.map_is_spatial());  // 16×16 channel affinities would pass for a 4×4 image
  CHECK(pam.map_is_spatial());
  CHECK(nl.map_is_spatial());
}
