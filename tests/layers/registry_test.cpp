// Layers by YAML name: building, defaults, and one clear error per kind of bad spec.
#include "layers/attention/cbam.h"
#include "layers/registry.h"
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("a YAML spec builds the layer with its defaults filled in") {
  auto layer = build_layer(YAML::Load("{type: cbam, channels: 32}"));
  REQUIRE(layer->type_name() == "CBAM");
  CHECK(layer->num_parameters() == CBAM(CBAMOptions{.channels = 32}).num_parameters());
  auto nl = build_layer(YAML::Load("{type: nonlocal, channels: 8, mode: dot_product, dims: 3, sub_sample: true}"));
  CHECK(nl->forward(randn({1, 8, 2, 4, 4})).shape() == Shape{1, 8, 2, 4, 4});
  auto conv = build_layer(YAML::Load("{type: conv, in_channels: 3, out_channels: 4, kernel: [1, 3], padding: [0, 1]}"));
  CHECK(conv->forward(randn({1, 3, 5, 5})).shape() == Shape{1, 4, 5, 5});
  auto coord = build_layer(YAML::Load("{type: coord_attention, channels: 16, reduction: 4}"));
  REQUIRE(coord->type_name() == "CoordinateAttention");
  CHECK(coord->forward(randn({2, 16, 5, 7})).shape() == Shape{2, 16, 5, 7});
  auto filled = build_layer(YAML::Load("{type: se}"), {{"channels", "16"}});
  CHECK(filled->forward(randn({1, 16, 2, 2})).shape() == Shape{1, 16, 2, 2});
}

TEST_CASE("bad specs: unknown type, unknown option, wrong type, missing option — each with its place") {
  const std::string file = "configs/x.yaml";
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbma\nchannels: 8\n"), file),
                       doctest::Contains("configs/x.yaml:1:7: unknown layer type 'cbma' (did you mean 'cbam'?); types:"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbam\nchannels: 8\nreduce: 4\n"), file),
                       doctest::Contains("configs/x.yaml:3:1: unknown option 'reduce' for layer 'cbam' (did you mean 'reduction'?); "
                                         "options: channels, reduction, spatial_kernel, dims"),
                       Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("type: cbam\nchannels: many\n"), file),
                       doctest::Contains("configs/x.yaml:2:11: option 'channels' of layer 'cbam' must be an integer, got 'many'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam}"), "model.attention"),
                       doctest::Contains("layer 'cbam' needs option 'channels'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: nonlocal, channels: 8, mode: dot}"), file),
                       doctest::Contains("unknown mode 'dot'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("[1, 2]"), file), doctest::Contains("a layer is a mapping with a 'type' key"), Error);
}

TEST_CASE("the layer schema lists every type with its options and defaults") {
  std::string schema = describe_layers();
  CHECK(schema.find("nonlocal: Non-local block") != std::string::npos);
  CHECK(schema.find("reduction") != std::string::npos);
  CHECK(schema.find("(required)") != std::string::npos);
}

TEST_CASE("list-of-text options (CBAM's pool_types): a list, a single string, and a clear error for anything else") {
  auto all = build_layer(YAML::Load("{type: cbam, channels: 8, reduction: 2, pool_types: [avg, max, lp, lse]}"));
  CHECK(all->summary().find("pool_types=[avg,max,lp,lse]") != std::string::npos);
  auto one = build_layer(YAML::Load("{type: cbam, channels: 8, reduction: 2, pool_types: lse}"));
  CHECK(one->summary().find("pool_types=[lse]") != std::string::npos);
  CHECK(build_layer(YAML::Load("{type: cbam, channels: 8}"))->summary().find("pool_types") == std::string::npos);  // the default
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, pool_types: {avg: 1}}")),
                       doctest::Contains("option 'pool_types' of layer 'cbam' must be a string or a list of strings"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, pool_types: [avg, mean]}")),
                       doctest::Contains("ChannelGate: unknown pool type 'mean'; pool types: avg, max, lp, lse"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: cbam, channels: 8, spatial_pool_order: max_avg}")),
                       doctest::Contains("SpatialGate: unknown pool order 'max_avg'"), Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: nonlocal, channels: 8, bn_layer: false, bn_init: 1}")),
                       doctest::Contains("bn_layer is false"), Error);
}
