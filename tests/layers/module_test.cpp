// Module: dotted names, state_dict round trips, strict loading, train/eval, summaries.
#include "layers/attention/cbam.h"
#include "layers/batch_norm.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "layers/simple_layers.h"
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("parameters get dotted names from the module tree, in registration order") {
  CBAM cbam(CBAMOptions{.channels = 32, .reduction = 16});
  std::vector<std::string> names;
  for (auto& [name, _] : cbam.named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"channel.mlp.0.weight", "channel.mlp.0.bias", "channel.mlp.2.weight", "channel.mlp.2.bias",
                                          "spatial.conv.weight"});
  CHECK(cbam.num_parameters() == 32 * 2 + 2 + 2 * 32 + 32 + 2 * 49);
  for (Tensor p : cbam.parameters()) CHECK(p.requires_grad());
}

TEST_CASE("state_dict round trip; strict loading lists missing and unexpected keys") {
  auto make = [] {
    return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
        std::make_shared<Linear>(4, 3), std::make_shared<BatchNorm>(BatchNormOptions{.channels = 3})});
  };
  auto a = make(), b = make();
  std::map<std::string, Tensor> state = a->state_dict();
  CHECK(state.count("1.running_mean") == 1);
  b->load_state_dict(state);
  CHECK(b->state_dict().at("0.weight").to_vector<double>() == state.at("0.weight").to_vector<double>());
  state.erase("0.bias");
  state["extra.weight"] = zeros({1});
  CHECK_THROWS_WITH_AS(b->load_state_dict(state), doctest::Contains("missing keys [0.bias]; unexpected keys [extra.weight]"), Error);
  b->load_state_dict(state, /*strict=*/false);
  std::map<std::string, Tensor> wrong = a->state_dict();
  wrong["0.weight"] = zeros({2, 2});
  CHECK_THROWS_WITH_AS(b->load_state_dict(wrong), doctest::Contains("'0.weight' has shape [2,2] in the state but [3,4]"), Error);
}

TEST_CASE("eval mode uses the running statistics and turns dropout off") {
  Sequential net{std::make_shared<BatchNorm>(BatchNormOptions{.channels = 2}), std::make_shared<Dropout>(0.5)};
  Tensor x = randn({16, 2}) * 3.0 + 1.0;
  net.forward(x);  // training: updates the running statistics
  net.eval();
  CHECK_FALSE(net[0]->is_training());
  Tensor y1 = net.forward(x), y2 = net.forward(x);
  CHECK(y1.to_vector<double>() == y2.to_vector<double>());  // deterministic: no dropout
}

TEST_CASE("summary prints the tree with options and parameter counts") {
  CBAM cbam(CBAMOptions{.channels = 32, .reduction = 16});
  std::string text = cbam.summary();
  CHECK(text.find("CBAM(32, reduction=16, spatial_kernel=7)") != std::string::npos);
  CHECK(text.find("  channel: ChannelGate(32, reduction=16)") != std::string::npos);
  CHECK(text.find("spatial: SpatialGate(kernel=7) — 98 parameters") != std::string::npos);
}
