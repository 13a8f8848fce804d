// Coordinate Attention, every check in one file (the worked example of docs/adding-a-layer.md):
// its gradients, its shape error and attention map, its YAML spec, and PyTorch.
#include "layers/attention/coordinate_attention.h"
#include "layers/registry.h"
#include "support/layer_checks.h"

using namespace gaze;
using namespace gaze::test;

namespace {
// Every option, none at its default: registry_test.cpp checks that each reaches the layer.
[[maybe_unused]] const bool kFullSpec = add_full_layer_spec("{type: coord_attention, channels: 16, reduction: 4}");
}  // namespace

TEST_CASE("gradcheck: CoordinateAttention") {
  check_layer_gradients(std::make_shared<CoordinateAttention>(CoordinateAttentionOptions{.channels = 8, .reduction = 4}), {2, 8, 3, 4});
}

TEST_CASE("CoordinateAttention: a wrong shape is an error naming the layer, and the attention map is recorded on request") {
  CHECK_THROWS_WITH_AS(CoordinateAttention(CoordinateAttentionOptions{.channels = 8}).forward(zeros({2, 4, 3, 3})),
                       doctest::Contains("CoordinateAttention(8): expected input [N, 8, H, W], got [2,4,3,3]"), Error);
  CoordinateAttention coord(CoordinateAttentionOptions{.channels = 8});
  coord.record_attention(true);
  Tensor image = randn({2, 8, 3, 5});
  Tensor gated = coord.forward(image);
  REQUIRE(coord.last_attention().shape() == Shape{2, 8, 3, 5});
  check_close(gated, (image * coord.last_attention()).to_vector<double>(), 1e-6);  // y = x ⊙ a_h ⊙ a_w
}

TEST_CASE("CoordinateAttention from a YAML spec") {
  auto coord = build_layer(YAML::Load("{type: coord_attention, channels: 16, reduction: 4}"));
  REQUIRE(coord->type_name() == "CoordinateAttention");
  CHECK(coord->forward(randn({2, 16, 5, 7})).shape() == Shape{2, 16, 5, 7});
}

TEST_CASE("CoordinateAttention matches PyTorch") {
  check_layer("coord_attention", [] { return std::make_shared<CoordinateAttention>(CoordinateAttentionOptions{.channels = 16, .reduction = 4}); });
}
