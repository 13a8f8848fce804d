// Interaction-aware pyramid attention: gradients of the output and of both losses against finite
// differences (maps and every parameter), the losses' values against direct computations (the
// interaction loss is PCA's reconstruction error, least at the first principal direction), and
// the shape checks.
#include "layers/attention/interaction_aware_pyramid.h"

#include <cmath>

#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;
using Layer = InteractionAwarePyramidAttention;

namespace {

std::shared_ptr<Layer> make_layer(std::vector<int64_t> in_channels, int64_t channels, const std::string& fusion = "mean") {
  auto layer = std::make_shared<Layer>(InteractionAwarePyramidAttentionOptions{std::move(in_channels), channels, parse_choice<PyramidFusion>(fusion)});
  layer->to(DType::f64);
  return layer;
}

// Three maps at three sizes: map 0 sets the 5x5 grid, the others are upsampled to it.
Inputs pyramid_maps(uint64_t seed) { return {leaf({2, 4, 5, 5}, seed), leaf({2, 6, 3, 3}, seed + 1), leaf({2, 3, 2, 4}, seed + 2)}; }

Inputs with_parameters(Inputs inputs, const Module& module) {
  for (const Tensor& p : module.parameters()) inputs.push_back(p);
  return inputs;
}

// The layer's 1x1 projection of a one-map layer set to the identity, and w set to `w`.
void set_identity_projection(Layer& layer, int64_t c, const std::vector<double>& w) {
  std::map<std::string, Tensor> state = layer.state_dict();
  std::vector<double> eye(c * c, 0.0);
  for (int64_t i = 0; i < c; ++i) eye[i * c + i] = 1.0;
  state["project0.weight"] = from_vector(eye, {c, c, 1, 1});
  state["project0.bias"] = zeros({c}, DType::f64);
  state["score_weight"] = from_vector(w, {c});
  layer.load_state_dict(state);
}

// S̄ = mean over samples of (1/P) Σ_p (x_p − m)(x_p − m)ᵀ for x [N, C, H, W].
std::vector<double> mean_scatter(const Tensor& x) {
  int64_t n = x.shape()[0], c = x.shape()[1], p = x.shape()[2] * x.shape()[3];
  std::vector<double> v = x.to_vector<double>(), s(c * c, 0.0);
  for (int64_t b = 0; b < n; ++b) {
    std::vector<double> m(c, 0.0);
    for (int64_t i = 0; i < c; ++i)
      for (int64_t q = 0; q < p; ++q) m[i] += v[(b * c + i) * p + q] / p;
    for (int64_t i = 0; i < c; ++i)
      for (int64_t j = 0; j < c; ++j)
        for (int64_t q = 0; q < p; ++q)
          s[i * c + j] += (v[(b * c + i) * p + q] - m[i]) * (v[(b * c + j) * p + q] - m[j]) / (p * n);
  }
  return s;
}

double quadratic(const std::vector<double>& s, const std::vector<double>& w) {
  int64_t c = static_cast<int64_t>(w.size());
  double norm2 = 0, q = 0;
  for (int64_t i = 0; i < c; ++i) {
    norm2 += w[i] * w[i];
    for (int64_t j = 0; j < c; ++j) q += w[i] * s[i * c + j] * w[j];
  }
  return q / norm2;  // uᵀ S u
}

}  // namespace

TEST_CASE("IAPA: gradcheck of the output w.r.t. the maps and every parameter, mean and concat fusion") {
  for (std::string fusion : {"mean", "concat"}) {
    CAPTURE(fusion);
    auto layer = make_layer({4, 6, 3}, 3, fusion);
    Inputs inputs = with_parameters(pyramid_maps(901), *layer);
    REQUIRE(inputs.size() == 3 + 8);  // 3 maps, 3 convs (w, b), score w and b
    check_gradients([&](const Inputs& in) { return layer->forward_all({in[0], in[1], in[2]}).at("out"); }, inputs);
  }
}

TEST_CASE("IAPA: gradcheck of the interaction and diversity losses w.r.t. the maps and every parameter") {
  auto layer = make_layer({4, 6, 3}, 3);
  Inputs inputs = with_parameters(pyramid_maps(911), *layer);
  check_gradients([&](const Inputs& in) {
    layer->forward_all({in[0], in[1], in[2]});
    return layer->interaction_loss();
  }, inputs);
  check_gradients([&](const Inputs& in) {
    layer->forward_all({in[0], in[1], in[2]});
    return layer->diversity_loss();
  }, inputs);
  // A weighted sum, as a trainer adds them to the task loss.
  check_gradients([&](const Inputs& in) {
    Tensor out = layer->forward_all({in[0], in[1], in[2]}).at("out");
    return sum(square(out)) + 0.5 * layer->interaction_loss() + 0.1 * layer->diversity_loss();
  }, inputs);
}

TEST_CASE("IAPA: one map, identity projection: attention is softmax_p(wᵀx_p + b), output is Σ_p a_p x_p") {
  auto layer = make_layer({3}, 3);
  const std::vector<double> w{0.7, -0.4, 0.2};
  set_identity_projection(*layer, 3, w);
  layer->record_attention(true);
  Tensor x = leaf({2, 3, 4, 4}, 921);
  Tensor out = layer->forward(x);
  REQUIRE(out.shape() == Shape{2, 3});
  Tensor a = layer->last_attention();
  REQUIRE(a.shape() == Shape{2, 1, 4, 4});
  std::vector<double> av = a.to_vector<double>(), xv = x.to_vector<double>(), expected;
  const double b = layer->score_bias.item();
  for (int64_t n = 0; n < 2; ++n) {
    // a_p = softmax_p(wᵀx_p + b)
    std::vector<double> e(16);
    double total = 0;
    for (int64_t p = 0; p < 16; ++p) {
      double s = b;
      for (int64_t c = 0; c < 3; ++c) s += w[c] * xv[(n * 3 + c) * 16 + p];
      total += e[p] = std::exp(s);
    }
    for (int64_t p = 0; p < 16; ++p) CHECK(av[n * 16 + p] == doctest::Approx(e[p] / total).epsilon(1e-12));
    for (int64_t c = 0; c < 3; ++c) {
      double f = 0;
      for (int64_t p = 0; p < 16; ++p) f += av[n * 16 + p] * xv[(n * 3 + c) * 16 + p];
      expected.push_back(f);
    }
  }
  check_close(out, expected, 1e-12);
}

TEST_CASE("IAPA: the interaction loss is PCA's reconstruction error, least at the first principal direction") {
  const int64_t c = 3;
  Generator g(931);
  Tensor x = randn({2, c, 4, 5}, DType::f64, &g) * from_vector(std::vector<double>{3.0, 1.0, 0.5}, {1, c, 1, 1});
  std::vector<double> s = mean_scatter(x);
  double trace = s[0] + s[4] + s[8];
  auto layer = make_layer({c}, c);

  // Any w: (tr S̄ − uᵀS̄u) / C.
  std::vector<double> w{0.3, -1.2, 0.8};
  set_identity_projection(*layer, c, w);
  layer->forward(x);
  CHECK(layer->interaction_loss().item() == doctest::Approx((trace - quadratic(s, w)) / c).epsilon(1e-12));

  // The first principal direction by power iteration: the loss is tr − λ1 over C, w is a
  // stationary point (zero gradient), and moving w away only raises the loss.
  std::vector<double> top{1.0, 1.0, 1.0};
  for (int it = 0; it < 500; ++it) {
    std::vector<double> next(c, 0.0);
    double norm = 0;
    for (int64_t i = 0; i < c; ++i) {
      for (int64_t j = 0; j < c; ++j) next[i] += s[i * c + j] * top[j];
      norm += next[i] * next[i];
    }
    for (int64_t i = 0; i < c; ++i) top[i] = next[i] / std::sqrt(norm);
  }
  set_identity_projection(*layer, c, top);
  layer->forward(x);
  Tensor best = layer->interaction_loss();
  CHECK(best.item() == doctest::Approx((trace - quadratic(s, top)) / c).epsilon(1e-12));
  best.backward();
  for (double gw : layer->score_weight.grad().to_vector<double>()) CHECK(std::abs(gw) < 1e-10);
  for (int trial = 0; trial < 5; ++trial) {
    Generator gt(940 + trial);
    std::vector<double> moved = top, delta = randn({c}, DType::f64, &gt).to_vector<double>();
    for (int64_t i = 0; i < c; ++i) moved[i] += 0.1 * delta[i];
    set_identity_projection(*layer, c, moved);
    layer->forward(x);
    CHECK(layer->interaction_loss().item() > best.item());
  }
}

TEST_CASE("IAPA: the diversity loss is the mean overlap of pairs of scales' attention; the score bias cancels") {
  auto layer = make_layer({4, 6, 3}, 3);
  layer->record_attention(true);
  Inputs maps = pyramid_maps(951);
  layer->forward_all(maps);
  std::vector<double> a = layer->last_attention().to_vector<double>();  // [2, 3, 5, 5]
  double expected = 0;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t k = 0; k < 3; ++k)
      for (int64_t l = k + 1; l < 3; ++l)
        for (int64_t p = 0; p < 25; ++p) expected += a[(n * 3 + k) * 25 + p] * a[(n * 3 + l) * 25 + p] / (2 * 3);
  Tensor loss = layer->diversity_loss();
  CHECK(loss.item() == doctest::Approx(expected).epsilon(1e-12));
  // b shifts every position's score of a scale equally: the softmax over positions removes it.
  Tensor total = sum(square(layer->forward_all(maps).at("out"))) + layer->diversity_loss() + layer->interaction_loss();
  total.backward();
  CHECK(std::abs(layer->score_bias.grad().item()) < 1e-12);
}

TEST_CASE("IAPA: mean fusion is the mean of the concatenated scales") {
  auto mean_layer = make_layer({4, 6, 3}, 3, "mean");
  auto concat_layer = make_layer({4, 6, 3}, 3, "concat");
  concat_layer->load_state_dict(mean_layer->state_dict());
  Inputs maps = pyramid_maps(961);
  Tensor concat = concat_layer->forward_all(maps).at("out");
  REQUIRE(concat.shape() == Shape{2, 9});
  check_close(mean_layer->forward_all(maps).at("out"), mean(reshape(concat, {2, 3, 3}), {1}), 1e-12);
}

TEST_CASE("IAPA: bad inputs and calls name the layer and what it expects") {
  Layer layer(InteractionAwarePyramidAttentionOptions{{4, 6}, 3});
  CHECK_THROWS_WITH_AS(layer.interaction_loss(), doctest::Contains("interaction_loss: no forward yet; call forward_all(maps) first"), Error);
  CHECK_THROWS_WITH_AS(layer.forward_all({zeros({2, 4, 5, 5})}),
                       doctest::Contains("InteractionAwarePyramidAttention: expected 2 feature maps [N, C_k, H_k, W_k] with C_k = [4, 6], got 1"), Error);
  CHECK_THROWS_WITH_AS(layer.forward_all({zeros({2, 4, 5, 5}), zeros({2, 5, 3, 3})}),
                       doctest::Contains("feature map 1 should be [N, 6, H, W] with N = 2 as map 0, got [2,5,3,3]"), Error);
  CHECK_THROWS_WITH_AS(layer.forward_all({zeros({2, 4, 5, 5}), zeros({3, 6, 3, 3})}),
                       doctest::Contains("feature map 1 should be [N, 6, H, W] with N = 2 as map 0, got [3,6,3,3]"), Error);
  CHECK_THROWS_WITH_AS(layer.forward_all({zeros({2, 4, 5}), zeros({2, 6, 3, 3})}),
                       doctest::Contains("feature map 0 should be [N, 4, H, W], got [2,4,5]"), Error);
  CHECK_THROWS_WITH_AS(layer.forward(zeros({2, 4, 5, 5})), doctest::Contains("forward(x) takes one map but this layer has 2 inputs"), Error);

  Layer single(InteractionAwarePyramidAttentionOptions{{4}, 3});
  CHECK(single.forward(zeros({2, 4, 5, 5})).shape() == Shape{2, 3});
  CHECK_THROWS_WITH_AS(single.diversity_loss(), doctest::Contains("diversity_loss: needs at least 2 scales"), Error);
  CHECK_THROWS_WITH_AS(Layer(InteractionAwarePyramidAttentionOptions{{}, 3}), doctest::Contains("in_channels is empty"), Error);
  CHECK_THROWS_WITH_AS(Layer(InteractionAwarePyramidAttentionOptions{{4}, 3, parse_choice<PyramidFusion>("max")}), doctest::Contains("unknown fusion 'max'"), Error);
}
