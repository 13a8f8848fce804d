// What the task models' tests share: f32 inputs, a loss that weighs every output differently,
// opening the zero-initialised attention gates, and the check that a backward reaches every
// parameter.
#pragma once
#include <string>
#include <vector>

#include "layers/attention/attention_map.h"
#include "layers/module.h"
#include "support/test_support.h"

namespace gaze::test {

inline Tensor f32_input(const Shape& shape, uint64_t seed) {
  Generator g(seed);
  return randn(shape, DType::f32, &g);
}

// Σ out ⊙ r with fixed random r: unlike sum(out), its gradient is not constant across the batch,
// which a training-mode BatchNorm would cancel.
inline Tensor weighted_sum(const Tensor& out, uint64_t seed) { return sum(out * f32_input(out.shape(), seed)); }

// Non-local's W_z BN scale and DANet's γ start at 0, which stops every gradient to the weights
// inside the attention; 0.5 opens them.
inline void open_attention_gates(Module& model) {
  std::map<std::string, Tensor> state = model.state_dict();
  for (auto& [name, tensor] : state) {
    bool gate = name.ends_with("w_z.1.weight") || name.ends_with(".gamma");
    if (gate) tensor = full(tensor.shape(), 0.5, tensor.dtype());
  }
  model.load_state_dict(state);
}

// After one backward: every parameter has a finite gradient, non-zero unless its name ends with
// one of `zero_in_exact_arithmetic` (a key bias under a softmax, a bias the next BN removes).
inline void check_every_parameter_gets_gradient(const Module& model, const std::vector<std::string>& zero_in_exact_arithmetic = {}) {
  for (const auto& [name, p] : model.named_parameters()) {
    INFO(name);
    REQUIRE(p.grad().defined());
    std::vector<double> g = p.grad().to_vector<double>();
    double largest = 0.0;
    bool finite = true;
    for (double v : g) {
      finite = finite && std::isfinite(v);
      largest = std::max(largest, std::abs(v));
    }
    CHECK(finite);
    bool exempt = false;
    for (const std::string& suffix : zero_in_exact_arithmetic) exempt = exempt || name.ends_with(suffix);
    if (!exempt) CHECK(largest > 0.0);
  }
}

// The distinct "prefix.j" Non-local blocks among the parameter names, e.g. "stage1_nonlocal.0".
inline std::vector<std::string> nonlocal_blocks(const Module& model) {
  std::vector<std::string> blocks;
  for (const auto& [name, p] : model.named_parameters()) {
    size_t at = name.find("_nonlocal.");
    if (at == std::string::npos) continue;
    std::string block = name.substr(0, name.find('.', at + 10));
    if (blocks.empty() || blocks.back() != block) blocks.push_back(block);
  }
  return blocks;
}

// The attention layers as `gaze visualize` finds them (trainers/app/visualize.cpp walks
// named_children for AttentionMapRecorders), by dotted name.
inline void collect_recorders(Module& m, const std::string& prefix, std::vector<std::pair<std::string, AttentionMapRecorder*>>& out) {
  if (auto* r = dynamic_cast<AttentionMapRecorder*>(&m)) out.emplace_back(prefix, r);
  for (auto& [name, child] : m.named_children()) collect_recorders(*child, prefix.empty() ? name : prefix + "." + name, out);
}

inline std::vector<std::pair<std::string, AttentionMapRecorder*>> attention_recorders(Module& model) {
  std::vector<std::pair<std::string, AttentionMapRecorder*>> out;
  collect_recorders(model, "", out);
  return out;
}

inline std::vector<std::string> recorder_names(Module& model) {
  std::vector<std::string> names;
  for (auto& [name, r] : attention_recorders(model)) names.push_back(name);
  return names;
}

}  // namespace gaze::test
