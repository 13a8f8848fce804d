// BAM: gradients against finite differences in training mode (input and every parameter), the
// gate's formula in both combine modes, and the shape checks.
#include "layers/attention/bam.h"

#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;

namespace {

std::shared_ptr<BAM> make_bam(const std::string& combine) {
  auto bam = std::make_shared<BAM>(BAMOptions{.channels = 8, .reduction = 4, .dilation = 4, .combine = parse_choice<BAMCombine>(combine)});
  bam->to(DType::f64);
  return bam;
}

std::shared_ptr<Module> child(const Module& module, const std::string& name) {
  for (const auto& [n, m] : module.named_children())
    if (n == name) return m;
  FAIL("no child " << name);
  return nullptr;
}

}  // namespace

TEST_CASE("BAM: gradcheck in training mode w.r.t. the input and every parameter, both combine modes") {
  for (std::string combine : {"product", "sum"}) {
    CAPTURE(combine);
    auto bam = make_bam(combine);
    REQUIRE(bam->is_training());
    Inputs inputs{leaf({3, 8, 5, 5}, 801)};
    for (const Tensor& p : bam->parameters()) inputs.push_back(p);
    REQUIRE(inputs.size() == 1 + 20);  // 2 FC, 4 BN and 4 convs, each a weight and a bias
    check_gradients([&](const Inputs& in) { return bam->forward(in[0]); }, inputs);
  }
}

TEST_CASE("BAM: gradcheck with the authors' num_layers and dilation_conv_num other than 1 and 2") {
  for (auto [layers, convs] : {std::pair<int64_t, int64_t>{2, 1}, {0, 0}, {3, 3}}) {
    CAPTURE(layers);
    CAPTURE(convs);
    auto bam = std::make_shared<BAM>(BAMOptions{.channels = 8, .reduction = 4, .dilation = 1, .num_layers = layers, .dilation_conv_num = convs});
    bam->to(DType::f64);
    Inputs inputs{leaf({3, 8, 4, 4}, 803)};
    for (const Tensor& p : bam->parameters()) inputs.push_back(p);
    // FC + BN per hidden layer and the last FC; conv + BN per block, the first and the last conv.
    REQUIRE(inputs.size() == static_cast<size_t>(1 + 4 * layers + 2 + 4 + 4 * convs + 2));
    check_gradients([&](const Inputs& in) { return bam->forward(in[0]); }, inputs);
  }
  CHECK_THROWS_WITH_AS(BAM(BAMOptions{.channels = 8, .num_layers = -1}), doctest::Contains("num_layers must be 0 or more"), Error);
}

TEST_CASE("BAM: gate is σ(Mc·Ms) (code) or σ(Mc + Ms) (paper), output x·(1 + gate)") {
  for (std::string combine : {"product", "sum"}) {
    CAPTURE(combine);
    auto bam = make_bam(combine);
    bam->record_attention(true);
    Tensor x = leaf({2, 8, 6, 7}, 802);
    Tensor y = bam->forward(x);
    Tensor gate = bam->last_attention();
    REQUIRE(gate.shape() == Shape{2, 8, 6, 7});
    // The branches on their own (training mode: same batch, same batch statistics).
    Tensor mc = reshape(child(*bam, "channel")->forward(flatten(global_avg_pool(x), 1)), {2, 8, 1, 1});
    Tensor ms = child(*bam, "spatial")->forward(x);
    REQUIRE(ms.shape() == Shape{2, 1, 6, 7});
    Tensor expected_gate = sigmoid(combine == "product" ? mc * ms : mc + ms);
    check_close(gate, expected_gate, 1e-12);
    check_close(y, x + x * expected_gate, 1e-12);
  }
}

TEST_CASE("BAM: parameter names follow the two branches; eval mode is deterministic and keeps the shape") {
  auto bam = make_bam("product");
  std::vector<std::string> names;
  for (const auto& [name, _] : bam->named_parameters()) names.push_back(name);
  CHECK(names.front() == "channel.0.weight");
  CHECK(std::find(names.begin(), names.end(), "channel.1.weight") != names.end());  // BatchNorm1d
  CHECK(std::find(names.begin(), names.end(), "spatial.3.weight") != names.end());  // first dilated conv
  CHECK(names.back() == "spatial.9.bias");                                          // final 1x1 conv
  Tensor x = leaf({2, 8, 5, 5}, 803);
  bam->eval();
  Tensor a = bam->forward(x), b = bam->forward(x);
  check_close(a, b, 0.0);
  CHECK(a.shape() == x.shape());
}

TEST_CASE("BAM: bad input and options name the layer and the expected shape") {
  BAM bam(BAMOptions{.channels = 8, .reduction = 4});
  CHECK_THROWS_WITH_AS(bam.forward(zeros({2, 6, 5, 5})), doctest::Contains("BAM(8): expected input [N, 8, H, W], got [2,6,5,5]"), Error);
  CHECK_THROWS_WITH_AS(bam.forward(zeros({2, 8, 5})), doctest::Contains("expected input [N, 8, H, W], got [2,8,5]"), Error);
  CHECK_THROWS_WITH_AS(BAM(BAMOptions{.channels = 8, .combine = parse_choice<BAMCombine>("max")}), doctest::Contains("unknown combine 'max'"), Error);
  CHECK_THROWS_WITH_AS(BAM(BAMOptions{.channels = 0}), doctest::Contains("BAM: channels must be positive"), Error);
  CHECK_THROWS_WITH_AS(BAM(BAMOptions{.channels = 8, .dilation = 0}), doctest::Contains("BAM: dilation must be positive"), Error);
}
