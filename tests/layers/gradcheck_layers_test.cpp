// The attention layers, in every mode, against finite differences in f64 on the reference
// backend, with respect to the input and every parameter (training mode). A layer with a test
// file of its own (coordinate_attention_test.cpp) runs the same check there.
#include "layers/attention/cbam.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "support/layer_checks.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("gradcheck: SqueezeExcitation, ChannelGate, SpatialGate and CBAM") {
  check_layer_gradients(std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{8, 4}), {2, 8, 3, 3});
  check_layer_gradients(std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{4, 2}), {2, 4, 2, 3, 2});
  check_layer_gradients(std::make_shared<ChannelGate>(ChannelGateOptions{8, 4}), {2, 8, 3, 3});
  check_layer_gradients(std::make_shared<SpatialGate>(SpatialGateOptions{3}), {2, 3, 4, 4});
  check_layer_gradients(std::make_shared<CBAM>(CBAMOptions{.channels = 8, .reduction = 4, .spatial_kernel = 3}), {2, 8, 4, 3});
  check_layer_gradients(std::make_shared<CBAM>(CBAMOptions{.channels = 4, .reduction = 2, .spatial_kernel = 3, .dims = 1}), {2, 4, 5});
}

TEST_CASE("gradcheck: the authors' forms of SE (no biases) and CBAM (lp and lse pooling, BN and [max; mean] in the spatial gate)") {
  check_layer_gradients(std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{.channels = 8, .reduction = 4, .bias = false}), {2, 8, 3, 3});
  check_layer_gradients(std::make_shared<ChannelGate>(ChannelGateOptions{.channels = 8, .reduction = 4, .pool_types = {ChannelPool::lp, ChannelPool::lse}}),
                        {2, 8, 3, 3});
  check_layer_gradients(std::make_shared<SpatialGate>(SpatialGateOptions{.kernel = 3, .bn = true, .pool_order = SpatialPoolOrder::max_mean}), {2, 3, 4, 4});
  check_layer_gradients(std::make_shared<CBAM>(CBAMOptions{.channels = 8, .reduction = 4, .spatial_kernel = 3,
                                                           .pool_types = {ChannelPool::avg, ChannelPool::max, ChannelPool::lp, ChannelPool::lse}, .spatial_bn = true,
                                                           .spatial_pool_order = SpatialPoolOrder::max_mean}),
                        {2, 8, 4, 3});
  check_layer_gradients(std::make_shared<CBAM>(CBAMOptions{.channels = 4, .reduction = 2, .spatial_kernel = 3, .dims = 3,
                                                           .pool_types = {ChannelPool::lse, ChannelPool::lp}, .spatial_bn = true}),
                        {2, 4, 2, 3, 2});
}

TEST_CASE("gradcheck: NonLocal without BatchNorm (bn_layer: false), W_z made non-zero") {
  for (const char* mode : {"embedded_gaussian", "gaussian", "dot_product", "concatenation"}) {
    CAPTURE(mode);
    auto block = std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .mode = parse_choice<NonLocalMode>(mode), .dims = 2, .sub_sample = true, .bn_layer = false});
    {
      NoGradGuard no_grad;  // W_z starts at 0, which would leave g, theta and phi without gradient
      for (auto& [name, p] : block->named_parameters())
        if (name.starts_with("w_z")) p.copy_(randn(p.shape()) * 0.5);
    }
    check_layer_gradients(block, {2, 4, 4, 4});
  }
}

TEST_CASE("gradcheck: NonLocal in every mode and variant") {
  for (const char* mode : {"embedded_gaussian", "gaussian", "dot_product", "concatenation"}) {
    CAPTURE(mode);
    check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .mode = parse_choice<NonLocalMode>(mode), .dims = 2, .bn_init = 1.0}), {2, 4, 3, 3});
  }
  check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .dims = 2, .sub_sample = true, .scale_logits = true, .bn_init = 1.0}),
                        {2, 4, 4, 4});
  check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .mode = NonLocalMode::dot_product, .dims = 1, .bn_init = 1.0}), {2, 4, 5});
  check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .dims = 3, .sub_sample = true, .bn_init = 1.0}), {1, 4, 2, 4, 4});
  check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .dims = 3, .bn_init = 1.0, .variant = NonLocalVariant::space}), {2, 4, 2, 2, 3});
  check_layer_gradients(std::make_shared<NonLocal>(NonLocalOptions{.channels = 4, .mode = NonLocalMode::gaussian, .dims = 3, .bn_init = 1.0, .variant = NonLocalVariant::time}),
                        {1, 4, 3, 2, 2});
}

TEST_CASE("gradcheck: DANet position attention, channel attention (both forms) and the dual head") {
  check_layer_gradients(std::make_shared<PositionAttention>(PositionAttentionOptions{.channels = 8, .gamma_init = 0.7}), {2, 8, 3, 3});
  check_layer_gradients(std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = 4, .gamma_init = 0.7}), {2, 4, 3, 3});
  check_layer_gradients(std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = 4, .form = ChannelAttentionForm::paper, .gamma_init = 0.7}), {2, 4, 3, 3});
  auto head = std::make_shared<DualAttentionHead>(DualAttentionHeadOptions{.in_channels = 8, .num_classes = 2, .dropout = 0.0});
  {
    NoGradGuard no_grad;
    head->pam->gamma.fill_(0.6);
    head->cam->gamma.fill_(0.4);
  }
  check_layer_gradients(head, {2, 8, 3, 3});
}

TEST_CASE("layers reject inputs of the wrong shape with a message naming the layer and the expected shape") {
  CHECK_THROWS_WITH_AS(CBAM(CBAMOptions{.channels = 16}).forward(zeros({2, 8, 4, 4})),
                       doctest::Contains("CBAM(16): expected input [N, 16, *spatial]"), Error);
  CHECK_THROWS_WITH_AS(NonLocal(NonLocalOptions{.channels = 8}).forward(zeros({2, 8, 4})),
                       doctest::Contains("NonLocal(8, dims=2): expected input [N, 8, 2 spatial dims], got [2,8,4]"), Error);
  CHECK_THROWS_WITH_AS(NonLocal(NonLocalOptions{.channels = 8, .mode = parse_choice<NonLocalMode>("dot")}), doctest::Contains("unknown mode 'dot'"), Error);
  CHECK_THROWS_WITH_AS(NonLocal(NonLocalOptions{.channels = 8, .variant = NonLocalVariant::space}), doctest::Contains("needs a 3D (video) input"), Error);
  CHECK_THROWS_WITH_AS(PositionAttention(PositionAttentionOptions{.channels = 8}).forward(zeros({2, 8, 4, 4, 4})),
                       doctest::Contains("PositionAttention(8): expected input [N, 8, H, W]"), Error);
  CHECK_THROWS_WITH_AS(ChannelAttention(ChannelAttentionOptions{.channels = 8, .form = parse_choice<ChannelAttentionForm>("new")}), doctest::Contains("unknown form 'new'"), Error);
}

TEST_CASE("a Non-local block starts as the identity, and attention maps are recorded on request") {
  NonLocal block(NonLocalOptions{.channels = 8});
  Tensor x = randn({2, 8, 4, 4});
  check_close(block.forward(x), x.to_vector<double>(), 1e-6);
  CHECK_FALSE(block.last_attention().defined());
  block.record_attention(true);
  block.forward(x);
  REQUIRE(block.last_attention().defined());
  CHECK(block.last_attention().shape() == Shape{2, 16, 16});
  check_close(sum(block.last_attention(), {2}), std::vector<double>(32, 1.0), 1e-5);  // each row a distribution
  PositionAttention pam(PositionAttentionOptions{.channels = 16});
  pam.record_attention(true);
  pam.forward(randn({1, 16, 3, 5}));
  CHECK(pam.last_attention().shape() == Shape{1, 15, 15});
}
