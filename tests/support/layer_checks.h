// The checks every attention layer goes through, shared by the layers' test files: a gradient
// check, a golden test against its PyTorch twin, and a YAML spec that sets every option.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "support/golden.h"

namespace gaze::test {

// vᵀJ from backward against central differences, in f64 on the reference backend and in training
// mode, for the input and every parameter.
void check_layer_gradients(const std::shared_ptr<Module>& module, const Shape& input_shape, uint64_t seed = 1);

// tests/golden/layers.json (make_layer_fixtures.py).
const nlohmann::json& layer_fixtures();
// Runs a comparison in f32 on every CPU backend (relative error ≤ 1e-4), then in f64 on the
// reference backend (≤ 1e-9).
void on_every_backend(const std::function<void(DType, double)>& run);

// Cases whose layer gives several outputs compare them concatenated, as the script wrote them.
using LayerForward = std::function<Tensor(Module&, const Tensor&)>;
Tensor plain_forward(Module& m, const Tensor& x);
// Loads the fixture case `name`'s state into the layer `make` builds, runs it on the case's input
// on every backend, and compares the output and the gradients of the input and of every parameter
// (a parameter the fixture has no gradient for fails: a naming mismatch shows up here).
void check_layer(const std::string& name, const std::function<std::shared_ptr<Module>()>& make, LayerForward forward = plain_forward);

// YAML specs of layers, each setting every option of its layer to a value other than its default.
// registry_test.cpp builds each, checks that every value reached the layer's options(), and that
// every registered layer type has one. A test file adds its layer's at start-up:
//   [[maybe_unused]] const bool kFullSpec = add_full_layer_spec("{type: coord_attention, channels: 16, reduction: 4}");
bool add_full_layer_spec(const std::string& yaml);
const std::vector<std::string>& full_layer_specs();

}  // namespace gaze::test
