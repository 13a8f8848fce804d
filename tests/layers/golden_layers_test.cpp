// The attention layers against PyTorch (tests/golden/layers.json from make_layer_fixtures.py):
// the same weights and input give the same output and the same gradients of the input and of
// every parameter — in f32 on every CPU backend (relative error ≤ 1e-4) and in f64 on the
// reference backend (≤ 1e-9). A layer with a test file of its own (coordinate_attention_test.cpp)
// runs the same check there.
#include "layers/attention/bam.h"
#include "layers/attention/cbam.h"
#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "support/layer_checks.h"

using namespace gaze;
using namespace gaze::test;
using json = nlohmann::json;

TEST_CASE("SqueezeExcitation matches PyTorch (2D and 3D inputs)") {
  check_layer("se", [] { return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{16, 4}); });
  check_layer("se_3d", [] { return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{8, 2}); });
}

TEST_CASE("CBAM and each of its gates match PyTorch") {
  check_layer("channel_gate", [] { return std::make_shared<ChannelGate>(ChannelGateOptions{16, 4}); });
  check_layer("spatial_gate", [] { return std::make_shared<SpatialGate>(SpatialGateOptions{7}); });
  check_layer("cbam", [] { return std::make_shared<CBAM>(CBAMOptions{.channels = 16, .reduction = 4}); });
}

TEST_CASE("NonLocal matches PyTorch in every mode, 1D to 3D, sub-sampled, scaled, space-only and time-only") {
  for (const char* mode : {"embedded_gaussian", "gaussian", "dot_product", "concatenation"})
    check_layer(std::string("nonlocal2d_") + mode, [mode] {
      return std::make_shared<NonLocal>(NonLocalOptions{.channels = 8, .mode = parse_choice<NonLocalMode>(mode), .dims = 2});
    });
  check_layer("nonlocal2d_embedded_subsample_scaled", [] {
    return std::make_shared<NonLocal>(NonLocalOptions{.channels = 8, .dims = 2, .sub_sample = true, .scale_logits = true});
  });
  check_layer("nonlocal1d_dot", [] {
    return std::make_shared<NonLocal>(NonLocalOptions{.channels = 6, .mode = NonLocalMode::dot_product, .dims = 1, .sub_sample = true});
  });
  check_layer("nonlocal3d_embedded_subsample", [] {
    return std::make_shared<NonLocal>(NonLocalOptions{.channels = 8, .dims = 3, .sub_sample = true});
  });
  check_layer("nonlocal3d_space", [] { return std::make_shared<NonLocal>(NonLocalOptions{.channels = 8, .dims = 3, .variant = NonLocalVariant::space}); });
  check_layer("nonlocal3d_time", [] {
    return std::make_shared<NonLocal>(NonLocalOptions{.channels = 8, .mode = NonLocalMode::concatenation, .dims = 3, .variant = NonLocalVariant::time});
  });
}

TEST_CASE("DANet position and channel attention (official and paper forms) and the dual head match PyTorch") {
  check_layer("danet_pam", [] { return std::make_shared<PositionAttention>(PositionAttentionOptions{.channels = 16}); });
  check_layer("danet_cam_official", [] { return std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = 8}); });
  check_layer("danet_cam_paper", [] { return std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = 8, .form = ChannelAttentionForm::paper}); });
  check_layer(
      "danet_head", [] { return std::make_shared<DualAttentionHead>(DualAttentionHeadOptions{.in_channels = 16, .num_classes = 3, .dropout = 0.0}); },
      [](Module& m, const Tensor& x) {
        TensorDict out = m.forward_all({x});
        return cat({out.at("out"), out.at("position_aux"), out.at("channel_aux")}, 1);
      });
}

TEST_CASE("BAM matches PyTorch in the code's product form and the paper's sum form") {
  check_layer("bam_product", [] { return std::make_shared<BAM>(BAMOptions{.channels = 16, .reduction = 4}); });
  check_layer("bam_sum", [] { return std::make_shared<BAM>(BAMOptions{.channels = 16, .reduction = 4, .dilation = 2, .combine = BAMCombine::sum}); });
}

TEST_CASE("interaction-aware pyramid attention matches PyTorch: fused features, both losses, every gradient") {
  const json& c = layer_fixtures().at("pyramid_attention");
  std::map<std::string, Tensor> state;
  for (auto& [key, value] : c.at("state").items()) state[key] = golden_tensor(value);
  auto run = [&](DType dtype, double tol) {
    auto layer = std::make_shared<InteractionAwarePyramidAttention>(InteractionAwarePyramidAttentionOptions{.in_channels = {6, 8, 4}, .channels = 5});
    layer->to(dtype);
    layer->load_state_dict(state);
    std::vector<Tensor> maps;
    for (const json& t : c.at("inputs")) maps.push_back(golden_tensor(t, dtype).set_requires_grad(true));
    Tensor fused = layer->forward_all(maps).at("out");
    Tensor out = cat({flatten(fused), reshape(layer->interaction_loss(), {1}), reshape(layer->diversity_loss(), {1})});
    check_relative(out, golden_tensor(c.at("output")), tol, "output and losses");
    out.backward(golden_tensor(c.at("grad_output"), dtype));
    for (size_t k = 0; k < maps.size(); ++k) check_relative(maps[k].grad(), golden_tensor(c.at("grad_inputs")[k]), tol, "gradient of map " + std::to_string(k));
    for (auto& [param, t] : layer->named_parameters()) check_relative(t.grad(), golden_tensor(c.at("grads").at(param)), tol, "gradient of " + param);
  };
  on_every_backend(run);
}
