// Official checkpoints: the authors' PyTorch modules (tests/golden/make_official_fixtures.py) saved
// their state dicts under the official names (tests/golden/official/*.safetensors) and recorded
// what they compute (tests/golden/official.json). Each gaze layer, built from the YAML spec stored
// with the case, loads the file through its official-name map and must give the same outputs (eval
// and training mode), gradients and updated running statistics — in f32 on every CPU backend and
// in f64 on the reference backend — and write the weights back under the official names.
#include <filesystem>
#include <set>

#include "framework/backend_registry.h"
#include "layers/attention/cbam.h"
#include "layers/attention/danet.h"
#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "layers/registry.h"
#include "support/golden.h"
#include "support/run_program.h"
#include "support/temp_dir.h"
#include "trainers/lib/io/official_checkpoint.h"
#include "trainers/lib/io/safetensors.h"

using namespace gaze;
using namespace gaze::test;
using json = nlohmann::json;

namespace {

const json& fixtures() {
  static json data = load_golden("official.json");
  return data;
}

std::string official_file(const std::string& name) { return std::string(GAZE_TESTS_DIR) + "/golden/official/" + name + ".safetensors"; }

std::shared_ptr<Module> build_case(const std::string& name) { return build_layer(YAML::Load(fixtures().at(name).at("layer").get<std::string>())); }

// The DANet head's three outputs, concatenated as the official head's tuple was for the fixture.
Tensor forward_case(Module& m, const Tensor& x) {
  TensorDict out = m.forward_all({x});
  if (out.contains("position_aux")) return cat({out.at("out"), out.at("position_aux"), out.at("channel_aux")}, 1);
  return out.at("out");
}

std::map<std::string, std::string> gaze_to_official(const Module& m) {
  std::map<std::string, std::string> out;
  for (const auto& [official, name] : m.official_names().names) out[name] = official;
  return out;
}

// A gradient that is zero in exact arithmetic (a conv bias feeding a training-mode BatchNorm) has
// no scale of its own; in f32 its rounding error grows with the gradients summed into it, so it
// is held to tol × the largest gradient of the case rather than golden.h's fixed 10·tol (which
// assumes O(1) gradients; the concatenation block's reach 30).
void check_gradient(const Tensor& got, const Tensor& want, double tol, double case_scale, const std::string& what) {
  std::vector<double> w = want.to_vector<double>();
  double scale = 0.0;
  for (double v : w) scale = std::max(scale, std::abs(v));
  if (scale > 1e-6) return check_relative(got, want, tol, what);
  INFO(what << " (zero in exact arithmetic; the case's largest gradient is " << case_scale << ")");
  REQUIRE(got.shape() == want.shape());
  double worst = 0.0;
  for (double v : got.to_vector<double>()) worst = std::max(worst, std::abs(v));
  CHECK(worst <= tol * std::max(1.0, case_scale));
}

void check_official_case(const std::string& name) {
  CAPTURE(name);
  const json& c = fixtures().at(name);
  auto run = [&](DType dtype, double tol) {
    std::shared_ptr<Module> module = build_case(name);
    module->to(dtype);
    OfficialLoadReport report = load_official_checkpoint(*module, official_file(name));
    CHECK(report.missing.empty());
    CHECK(report.unexpected.empty());
    std::map<std::string, std::string> official = gaze_to_official(*module);
    Tensor x = golden_tensor(c.at("input"), dtype);
    module->eval();
    check_relative(forward_case(*module, x), golden_tensor(c.at("output_eval")), tol, "output in eval mode (running statistics)");
    module->train();
    x.set_requires_grad(true);
    Tensor out = forward_case(*module, x);
    check_relative(out, golden_tensor(c.at("output")), tol, "output in training mode");
    out.backward(golden_tensor(c.at("grad_output"), dtype));
    check_relative(x.grad(), golden_tensor(c.at("grad_input")), tol, "gradient of the input");
    double case_scale = 0.0;
    for (auto& [key, g] : c.at("grads").items())
      for (double v : g.at("values").get<std::vector<double>>()) case_scale = std::max(case_scale, std::abs(v));
    for (auto& [param, t] : module->named_parameters()) {
      const std::string& key = official.at(param);
      REQUIRE_MESSAGE(c.at("grads").contains(key), "the fixture has no gradient for " << key);
      check_gradient(t.grad(), golden_tensor(c.at("grads").at(key)), tol, case_scale, "gradient of " + param + " (" + key + ")");
    }
    size_t buffers = 0;
    for (auto& [buffer, t] : module->named_buffers()) {
      const std::string& key = official.at(buffer);
      REQUIRE_MESSAGE(c.at("buffers_after").contains(key), "the fixture has no " << key);
      check_relative(t, golden_tensor(c.at("buffers_after").at(key)), tol, buffer + " after one training step (" + key + ")");
      ++buffers;
    }
    CHECK(buffers == c.at("buffers_after").size());
  };
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    set_cpu_backend(backend);
    run(DType::f32, 1e-4);
  }
  set_cpu_backend("reference");
  run(DType::f64, 1e-9);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (auto& [name, _] : fixtures().items()) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("official checkpoints of every layer load and give the authors' outputs, gradients and running statistics") {
  REQUIRE(case_names().size() == 16);
  for (const std::string& name : case_names()) check_official_case(name);
}

TEST_CASE("gaze writes a loaded official checkpoint back under the official names: the same keys, shapes and values") {
  TempDir dir("official");
  for (const std::string& name : case_names()) {
    CAPTURE(name);
    std::shared_ptr<Module> module = build_case(name);
    load_official_checkpoint(*module, official_file(name));
    save_official_checkpoint(dir / (name + ".safetensors"), *module);
    SafetensorsFile original = load_safetensors(official_file(name)), written = load_safetensors(dir / (name + ".safetensors"));
    std::map<std::string, Tensor> want(original.tensors.begin(), original.tensors.end());
    std::map<std::string, Tensor> got(written.tensors.begin(), written.tensors.end());
    std::set<std::string> want_keys, got_keys;
    for (auto& [k, _] : want) want_keys.insert(k);
    for (auto& [k, _] : got) got_keys.insert(k);
    CHECK(got_keys == want_keys);
    CHECK(written.metadata.at("format") == "pt");
    for (auto& [key, t] : want) {
      CAPTURE(key);
      if (!got.count(key)) continue;
      REQUIRE(got.at(key).shape() == t.shape());
      if (key.ends_with("num_batches_tracked")) {  // not kept by gaze: written as 0 (the file says 1000)
        CHECK(got.at(key).dtype() == DType::i64);
        CHECK(got.at(key).item() == 0.0);
        continue;
      }
      CHECK(got.at(key).dtype() == DType::f32);
      CHECK(got.at(key).to_vector<double>() == t.to_vector<double>());  // exact: f32 in, f32 out
    }
  }
  // The other half of the round trip needs PyTorch: the files gaze wrote must load into the
  // authors' modules with load_state_dict(strict=True) and compute what the originals compute.
  TempDir logs("official_check");
  if (run_program({"/bin/sh", "-c", "/usr/bin/python3 -c 'import torch' 2>/dev/null"}, logs / "probe.log") != 0) {
    MESSAGE("skipped loading gaze's files into the official PyTorch modules: /usr/bin/python3 cannot import torch "
            "(apt-get install python3-torch to run it)");
    return;
  }
  std::string script = std::string(GAZE_TESTS_DIR) + "/golden/make_official_fixtures.py";
  int status = run_program({"/usr/bin/python3", script, "--check", dir.path.string()}, logs / "check.log");
  std::ifstream log(logs / "check.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  INFO(text);
  CHECK(status == 0);
  CHECK(text.find("all official modules load gaze's files") != std::string::npos);
}

TEST_CASE("loading an official state reports missing keys, unexpected keys and shape mismatches, and changes nothing") {
  std::map<std::string, Tensor> state;
  for (auto& [k, t] : load_safetensors(official_file("cbam")).tensors) state[k] = t;
  auto make = [](int64_t kernel) {
    return CBAM(CBAMOptions{.channels = 16, .reduction = 4, .spatial_kernel = kernel, .spatial_bn = true, .spatial_pool_order = SpatialPoolOrder::max_mean});
  };

  CBAM cbam = make(7);
  std::vector<double> before = cbam.state_dict().at("channel.mlp.0.bias").to_vector<double>();
  auto broken = state;
  broken.erase("ChannelGate.mlp.3.bias");
  broken["ChannelGate.mlp.5.weight"] = zeros({2});
  CHECK_THROWS_WITH_AS(load_official_state_dict(cbam, broken, true, "cbam.safetensors"),
                       doctest::Contains("loading the official state of CBAM (Jongchan/attention-module MODELS/cbam.py CBAM) from "
                                         "cbam.safetensors: missing keys [ChannelGate.mlp.3.bias]; unexpected keys [ChannelGate.mlp.5.weight]"),
                       Error);
  CHECK(cbam.state_dict().at("channel.mlp.0.bias").to_vector<double>() == before);  // nothing copied

  // Non-strict: the matching keys load, the rest is reported, as load_state_dict(strict=False).
  OfficialLoadReport report = load_official_state_dict(cbam, broken, false);
  CHECK(report.missing == std::vector<std::string>{"ChannelGate.mlp.3.bias"});
  CHECK(report.unexpected == std::vector<std::string>{"ChannelGate.mlp.5.weight"});
  CHECK(cbam.state_dict().at("channel.mlp.0.bias").to_vector<double>() == state.at("ChannelGate.mlp.1.bias").to_vector<double>());

  // A shape mismatch names both keys and both shapes, in strict and non-strict mode alike.
  CBAM small_kernel = make(3);
  for (bool strict : {true, false})
    CHECK_THROWS_WITH_AS(load_official_state_dict(small_kernel, state, strict, "cbam.safetensors"),
                         doctest::Contains("size mismatch for SpatialGate.spatial.conv.weight (gaze spatial.conv.weight): [1,2,7,7] in "
                                           "cbam.safetensors, [1,2,3,3] in the layer"),
                         Error);

  // BatchNorm's num_batches_tracked is optional, as PyTorch treats a state without it.
  auto without_count = state;
  without_count.erase("SpatialGate.spatial.bn.num_batches_tracked");
  CBAM fresh = make(7);
  CHECK(load_official_state_dict(fresh, without_count).missing.empty());

  // Options that do not match the checkpoint's module show up as keys.
  SqueezeExcitation biased(SqueezeExcitationOptions{.channels = 16, .reduction = 4});
  CHECK_THROWS_WITH_AS(load_official_checkpoint(biased, official_file("se_selayer")),
                       doctest::Contains("missing keys [fc.0.bias, fc.2.bias]"), Error);
  NonLocal not_sub_sampled(NonLocalOptions{.channels = 8, .dims = 2});
  CHECK_THROWS_WITH_AS(load_official_checkpoint(not_sub_sampled, official_file("nonlocal2d_embedded_gaussian")),
                       doctest::Contains("missing keys [g.weight, g.bias, phi.weight, phi.bias]; unexpected keys [g.0.bias, g.0.weight, "
                                         "phi.0.bias, phi.0.weight]"),
                       Error);
}

TEST_CASE("official names are refused for forms the authors' code does not have, naming the option to set") {
  CHECK_THROWS_WITH_AS(CBAM(CBAMOptions{.channels = 16}).official_names(),
                       doctest::Contains("official names need spatial_bn: true and spatial_pool_order: max_mean (this layer has "
                                         "spatial_bn: false, spatial_pool_order: mean_max)"),
                       Error);
  CHECK_THROWS_WITH_AS(build_layer(YAML::Load("{type: bam, channels: 16, combine: sum}"))->official_names(),
                       doctest::Contains("official names need combine: product"), Error);
  CHECK_THROWS_WITH_AS(NonLocal(NonLocalOptions{.channels = 8, .scale_logits = true}).official_names(),
                       doctest::Contains("official names need scale_logits: false"), Error);
  CHECK_THROWS_WITH_AS(ChannelAttention(ChannelAttentionOptions{.channels = 8, .form = ChannelAttentionForm::paper}).official_names(),
                       doctest::Contains("official names need form: official"), Error);
  CHECK_THROWS_WITH_AS(
      InteractionAwarePyramidAttention(InteractionAwarePyramidAttentionOptions{.in_channels = {4}, .channels = 4}).official_names(),
      doctest::Contains("InteractionAwarePyramidAttention has no official PyTorch counterpart in gaze"), Error);
}

TEST_CASE("gaze convert: official names to gaze's and back, through the command line") {
  TempDir dir("convert");
  const std::string layer = fixtures().at("cbam").at("layer").get<std::string>();
  REQUIRE(run_program({GAZE_CLI_PATH, "convert", "--layer", layer, "--from-official", official_file("cbam"), "--to", dir / "gaze.safetensors"},
                      dir / "to_gaze.log") == 0);
  SafetensorsFile gaze_file = load_safetensors(dir / "gaze.safetensors");
  std::map<std::string, Tensor> gaze_state(gaze_file.tensors.begin(), gaze_file.tensors.end());
  CHECK(gaze_state.count("spatial.bn.running_var") == 1);
  CHECK(gaze_state.count("channel.mlp.2.weight") == 1);
  REQUIRE(run_program({GAZE_CLI_PATH, "convert", "--layer", layer, "--from", dir / "gaze.safetensors", "--to-official", dir / "back.safetensors"},
                      dir / "to_official.log") == 0);
  std::map<std::string, Tensor> original, back;
  for (auto& [k, t] : load_safetensors(official_file("cbam")).tensors) original[k] = t;
  for (auto& [k, t] : load_safetensors(dir / "back.safetensors").tensors) back[k] = t;
  REQUIRE(back.size() == original.size());
  CHECK(back.at("SpatialGate.spatial.conv.weight").to_vector<double>() == original.at("SpatialGate.spatial.conv.weight").to_vector<double>());
  // A mismatch is one line and exit status 1.
  CHECK(run_program({GAZE_CLI_PATH, "convert", "--layer", "{type: cbam, channels: 16, reduction: 4}", "--from-official", official_file("cbam"),
                     "--to", dir / "x.safetensors"},
                    dir / "error.log") == 1);
  std::ifstream log(dir / "error.log");
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("official names need spatial_bn: true") != std::string::npos);
}
