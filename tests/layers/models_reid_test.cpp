// The video re-ID model (layers/models/reid_net.h): feature and logit shapes, where the
// Non-local blocks go, that zero-initialised blocks leave the baseline's features as they were,
// gradients to every parameter, and one clear error per bad option.
#include "layers/models/reid_net.h"

#include "models_test_support.h"
#include "support/scoped_backend.h"

using namespace gaze;
using namespace gaze::test;

namespace {

ReidNetOptions tiny_reid(const std::string& mode = "", int64_t blocks = 1) {
  return ReidNetOptions{.num_identities = 7, .widths = {4, 8, 12}, .nonlocal_mode = mode, .nonlocal_blocks = blocks};
}

Tensor tracklets(uint64_t seed) { return f32_input({4, 3, 4, 16, 16}, seed); }

}  // namespace

TEST_CASE("VideoReidNet: features [N, D] and logits [N, identities], with and without Non-local blocks and BN-neck") {
  ScopedBackend backend(fastest_backend());
  for (const std::string& mode : {std::string(), std::string("embedded_gaussian"), std::string("concatenation")})
    for (bool neck : {true, false}) {
      CAPTURE(mode);
      CAPTURE(neck);
      ReidNetOptions o = tiny_reid(mode);
      o.bn_neck = neck;
      VideoReidNet net(o);
      TensorDict out = net.forward_all({tracklets(1)});
      CHECK(out.at("out").shape() == Shape{4, 12});
      CHECK(out.at("logits").shape() == Shape{4, 7});
      CHECK(net.feature_dim() == 12);
      CHECK(net.forward(tracklets(1)).shape() == Shape{4, 12});
    }
  // The BN-neck's classifier has no bias (BoT).
  for (const auto& [name, p] : VideoReidNet(tiny_reid()).named_parameters()) CHECK(name != "classifier.bias");
}

TEST_CASE("VideoReidNet: one Non-local block follows the second-to-last stage; two split between it and the stage before") {
  CHECK(nonlocal_blocks(VideoReidNet(tiny_reid())).empty());
  CHECK(nonlocal_blocks(VideoReidNet(tiny_reid("embedded_gaussian"))) == std::vector<std::string>{"stage1_nonlocal.0"});
  CHECK(nonlocal_blocks(VideoReidNet(tiny_reid("gaussian", 2))) == std::vector<std::string>{"stage0_nonlocal.0", "stage1_nonlocal.0"});
  // As gaze visualize finds them.
  VideoReidNet net(tiny_reid("embedded_gaussian"));
  CHECK(recorder_names(net) == std::vector<std::string>{"stage1_nonlocal.0"});
}

TEST_CASE("VideoReidNet: with the same seed, zero-initialised Non-local blocks leave the 3D CNN's features and logits unchanged") {
  ScopedBackend backend(fastest_backend());
  manual_seed(21);
  VideoReidNet base(tiny_reid());
  manual_seed(21);
  VideoReidNet with_blocks(tiny_reid("embedded_gaussian", 2));
  Tensor x = tracklets(2);
  TensorDict want = base.forward_all({x}), got = with_blocks.forward_all({x});
  check_close(got.at("out"), want.at("out"), 1e-6);
  check_close(got.at("logits"), want.at("logits"), 1e-6);
  open_attention_gates(with_blocks);
  CHECK(max(abs(with_blocks.forward(x) - want.at("out"))).item() > 1e-4);
}

TEST_CASE("VideoReidNet: one backward of an identity loss and a feature loss reaches every parameter") {
  ScopedBackend backend(fastest_backend());
  VideoReidNet net(tiny_reid("embedded_gaussian", 2));
  open_attention_gates(net);
  TensorDict out = net.forward_all({tracklets(3)});
  (weighted_sum(out.at("logits"), 4) + weighted_sum(out.at("out"), 5)).backward();
  check_every_parameter_gets_gradient(net, {"phi.bias", "w_z.0.bias"});  // zero in exact arithmetic (see models_video_test)
}

TEST_CASE("VideoReidNet: bad options and tracklets give one error naming the option") {
  CHECK_THROWS_WITH_AS(VideoReidNet(ReidNetOptions{.widths = {}, .strides = {}}),
                       doctest::Contains("VideoReidNet: widths (0 entries) and strides (0 entries) must be non-empty"), Error);
  CHECK_THROWS_WITH_AS(VideoReidNet(tiny_reid("softmax")), doctest::Contains("VideoReidNet: unknown nonlocal_mode 'softmax'"), Error);
  CHECK_THROWS_WITH_AS(VideoReidNet(ReidNetOptions{.num_identities = 0}), doctest::Contains("num_identities (0)"), Error);
  VideoReidNet net(tiny_reid());
  CHECK_THROWS_WITH_AS(net.forward(f32_input({4, 3, 16, 16}, 1)), doctest::Contains("expected tracklets [N, 3, T, H, W], got [4,3,16,16]"),
                       Error);
}
