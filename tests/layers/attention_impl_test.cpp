// attention_impl: every block that forms a positions × positions map gives the same outputs and
// gradients (input and every parameter) through the map and through fused_attention, with the
// same state dict; `auto` keeps the map where it is small or recorded (and weighs concatenation
// by the pair features its map path forms); `fused` refuses to record a map it never forms, and
// refuses concatenation on a backend without its kernels.
#include <set>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "autograd/node.h"
#include "backends/reference/reference_backend.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "framework/backend_registry.h"
#include "layers/registry.h"
#include "support/scoped_backend.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

// Builds `spec` twice (materialized, fused), gives both the first's weights, and compares a
// forward and backward on an input of `shape` in `dtype`: outputs, the input's gradient and every
// parameter's, within `tol` relative to 1 + |expected|.
//
// f64 (on the reference backend) proves the two paths compute the same function, W_z's BatchNorm
// included. In f32 the blocks are built without that BatchNorm (bn_layer: false, W_z made
// non-zero): normalising over a few dozen positions divides by a small deviation and magnifies
// rounding, and the gradient of the conv bias in front of it is zero up to rounding noise, so
// two correct f32 computations of it need not agree to 1e-5.
void check_impls_agree(const std::string& spec, const Shape& shape, DType dtype, double tol) {
  CAPTURE(spec);
  auto materialized = build_layer(YAML::Load(spec), {{"attention_impl", "materialized"}});
  auto fused = build_layer(YAML::Load(spec), {{"attention_impl", "fused"}});
  {
    NoGradGuard no_grad;  // a zero-initialised W_z (bn_layer: false) would leave the block the identity
    Generator g(5);
    for (auto& [name, p] : materialized->named_parameters())
      if (name.starts_with("w_z") && p.dim() > 1) p.copy_(uniform(p.shape(), -0.5, 0.5, p.dtype(), &g));
  }
  materialized->to(dtype);
  fused->to(dtype);
  auto state = materialized->state_dict();
  {
    auto fused_state = fused->state_dict();
    REQUIRE(fused_state.size() == state.size());
    for (const auto& [name, t] : state) {
      CAPTURE(name);
      REQUIRE(fused_state.count(name) == 1);
      CHECK(fused_state.at(name).shape() == t.shape());
    }
  }
  fused->load_state_dict(state);
  Generator g(31);
  Tensor x = uniform(shape, -1.0, 1.0, dtype, &g);
  Tensor w = uniform(shape, -1.0, 1.0, dtype, &g);
  Tensor x_m = x.detach().set_requires_grad(true), x_f = x.detach().set_requires_grad(true);
  Tensor y_m = materialized->forward(x_m), y_f = fused->forward(x_f);
  sum(y_m * w).backward();
  sum(y_f * w).backward();
  check_close(y_f, y_m, tol);
  check_close(x_f.grad(), x_m.grad(), tol);
  auto params_m = materialized->named_parameters(), params_f = fused->named_parameters();
  REQUIRE(params_m.size() == params_f.size());
  for (size_t i = 0; i < params_m.size(); ++i) {
    CAPTURE(params_m[i].first);
    REQUIRE(params_m[i].second.grad().defined());
    check_close(params_f[i].second.grad(), params_m[i].second.grad(), tol);
  }
}

// Every Non-local form that has a fused path, with `extra` options.
std::vector<std::pair<std::string, Shape>> nonlocal_specs(const std::string& extra) {
  std::vector<std::pair<std::string, Shape>> specs;
  for (const char* mode : {"embedded_gaussian", "gaussian", "dot_product", "concatenation"}) {
    std::string m = std::string("mode: ") + mode + ", " + extra;
    specs.push_back({"{type: nonlocal, channels: 8, dims: 2, " + m + "}", {2, 8, 9, 7}});
    specs.push_back({"{type: nonlocal, channels: 8, dims: 2, sub_sample: true, " + m + "}", {2, 8, 9, 7}});
    specs.push_back({"{type: nonlocal, channels: 6, dims: 1, scale_logits: true, " + m + "}", {3, 6, 11}});
    specs.push_back({"{type: nonlocal, channels: 4, dims: 3, sub_sample: true, " + m + "}", {2, 4, 3, 4, 5}});
    specs.push_back({"{type: nonlocal, channels: 4, dims: 3, variant: space, " + m + "}", {2, 4, 3, 4, 5}});
    specs.push_back({"{type: nonlocal, channels: 4, dims: 3, variant: time, " + m + "}", {2, 4, 3, 4, 5}});
  }
  return specs;
}

// A CPU backend without concatenation attention's kernels, as the CUDA backend is.
class NoReluPairBackend : public ReferenceBackend {
 public:
  std::string name() const override { return "no_relu_pair"; }
  bool supports(Op op, DType dtype) const override {
    return op != Op::relu_pair_forward && op != Op::relu_pair_backward && ReferenceBackend::supports(op, dtype);
  }
};

const char* kPamSpecs[] = {"{type: position_attention, channels: 16, gamma_init: 1.0}",
                           "{type: position_attention, channels: 8, reduction: 2, gamma_init: 0.5}"};
const Shape kPamShapes[] = {{2, 16, 9, 11}, {1, 8, 13, 5}};

}  // namespace

TEST_CASE("NonLocal computes the same function with attention_impl fused and materialized, in f64") {
  ScopedBackend use("reference");
  for (const auto& [spec, shape] : nonlocal_specs("bn_init: 1.0")) check_impls_agree(spec, shape, DType::f64, 1e-10);
}

TEST_CASE("NonLocal gives the same f32 outputs and gradients fused and materialized on every CPU backend") {
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    ScopedBackend use(backend);
    for (const auto& [spec, shape] : nonlocal_specs("bn_layer: false")) check_impls_agree(spec, shape, DType::f32, 1e-5);
  }
}

TEST_CASE("PositionAttention gives the same outputs and gradients fused and materialized") {
  {
    ScopedBackend use("reference");
    for (int i = 0; i < 2; ++i) check_impls_agree(kPamSpecs[i], kPamShapes[i], DType::f64, 1e-10);
  }
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    ScopedBackend use(backend);
    for (int i = 0; i < 2; ++i) check_impls_agree(kPamSpecs[i], kPamShapes[i], DType::f32, 1e-5);
  }
}

TEST_CASE("attention_impl auto keeps the map when it is small or recorded, fuses when it is large") {
  CHECK_FALSE(use_fused_attention(AttentionImpl::automatic, 8, 1024, 1024, 1, false, "test"));  // 32 MiB
  CHECK(use_fused_attention(AttentionImpl::automatic, 1, 16384, 16384, 1, false, "test"));       // 1 GiB
  CHECK_FALSE(use_fused_attention(AttentionImpl::automatic, 1, 16384, 16384, 1, true, "test"));  // recorded
  CHECK(use_fused_attention(AttentionImpl::fused, 1, 2, 2, 1, false, "test"));
  CHECK_FALSE(use_fused_attention(AttentionImpl::materialized, 1, 16384, 16384, 1, false, "test"));
  // The boundary: a map of exactly the threshold stays materialized.
  CHECK_FALSE(use_fused_attention(AttentionImpl::automatic, 1, kFusedAttentionMinMapBytes / 4, 1, 1, false, "test"));
  CHECK(use_fused_attention(AttentionImpl::automatic, 1, kFusedAttentionMinMapBytes / 4 + 1, 1, 1, false, "test"));
  // Concatenation's pair features, 2·C' values a pair: the action-relations C2D's 32 MiB map at
  // C' = 16 is 1 GiB of them.
  CHECK(use_fused_attention(AttentionImpl::automatic, 32, 1024, 256, 32, false, "test"));
  CHECK_FALSE(use_fused_attention(AttentionImpl::automatic, 32, 1024, 256, 32, true, "test"));  // recorded
}

namespace {

// The names of the autograd nodes behind `output`, for which path a block took.
std::set<std::string> graph_op_names(const Tensor& output) {
  std::set<std::string> names;
  std::vector<std::shared_ptr<autograd::Node>> todo{output.grad_fn()};
  std::set<const autograd::Node*> seen;
  while (!todo.empty()) {
    auto node = todo.back();
    todo.pop_back();
    if (!node || !seen.insert(node.get()).second) continue;
    names.insert(node->name);
    for (const auto& next : node->next) todo.push_back(next);
  }
  return names;
}

}  // namespace

TEST_CASE("attention_impl auto fuses concatenation when its pair features, not its map, are over the threshold") {
  // 1 × 1024² × 4 B = 4 MiB of map; the pair features at C' = 32 are 64 times that, 256 MiB.
  Generator g(3);
  const Tensor x = randn({1, 64, 32, 32}, DType::f32, &g);
  auto concatenation = build_layer(YAML::Load("{type: nonlocal, channels: 64, mode: concatenation}"));
  auto ops = graph_op_names(concatenation->forward(x));
  CHECK(ops.count("relu_pair_attention") == 1);
  // The same positions with a softmax keep their 4 MiB map.
  auto embedded = build_layer(YAML::Load("{type: nonlocal, channels: 64}"));
  ops = graph_op_names(embedded->forward(x));
  CHECK(ops.count("fused_attention") == 0);
  CHECK(ops.count("softmax") == 1);
}

TEST_CASE("attention_impl fused refuses to record a map") {
  auto block = build_layer(YAML::Load("{type: nonlocal, channels: 4, attention_impl: fused}"));
  dynamic_cast<AttentionMapRecorder&>(*block).record_attention(true);
  CHECK_THROWS_WITH_AS(block->forward(zeros({1, 4, 3, 3})), doctest::Contains("set attention_impl: auto or materialized"),
                       Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: position_attention, channels: 8, attention_impl: flash}")),
                       doctest::Contains("auto"), Error);
}

TEST_CASE("concatenation on a backend without relu_pair kernels: fused is refused naming the fix, auto runs") {
  register_backend(std::make_unique<NoReluPairBackend>());
  {
    ScopedBackend use("no_relu_pair");
    auto fused = build_layer(YAML::Load("{type: nonlocal, channels: 4, mode: concatenation, attention_impl: fused}"));
    CHECK_THROWS_WITH_AS(fused->forward(zeros({1, 4, 3, 3})),
                         doctest::Contains("use attention_impl: auto (which then keeps the map) or materialized"), Error);
    auto automatic = build_layer(YAML::Load("{type: nonlocal, channels: 2, mode: concatenation}"));
    CHECK(automatic->forward(zeros({1, 2, 3, 3})).shape() == Shape{1, 2, 3, 3});
  }
  unregister_backend("no_relu_pair");
}

TEST_CASE("a recorded map is the same whatever attention_impl auto would pick") {
  auto block = build_layer(YAML::Load("{type: nonlocal, channels: 4}"));
  auto& recorder = dynamic_cast<AttentionMapRecorder&>(*block);
  recorder.record_attention(true);
  block->forward(zeros({1, 4, 3, 3}));
  CHECK(recorder.last_attention().shape() == Shape{1, 9, 9});
}
