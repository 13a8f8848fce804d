// How a gaze layer's parameters and buffers are named in its authors' PyTorch code, so a state
// dict saved from the official module (torch.save / safetensors) loads into the gaze layer and
// gaze's weights can be written back under the official names (layers/official_weights.h).
//
// A map is a list of (official name, gaze name) pairs, built by each layer for its own options
// (Module::official_names(), defined next to the layer): which keys exist depends on the options,
// e.g. Non-local's `sub_sample` wraps g and phi in nn.Sequential in the authors' code ("g.0.weight").
// Tensors keep their shapes under both names; a map renames, it never transforms values.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gaze {

struct OfficialNames {
  explicit OfficialNames(std::string source_code = "") : source(std::move(source_code)) {}

  // The official code the names follow ("Jongchan/attention-module MODELS/cbam.py CBAM"), quoted in
  // errors and docs.
  std::string source;
  // official → gaze, in the order of the official module's state_dict().
  std::vector<std::pair<std::string, std::string>> names;
  // Official keys gaze has no tensor for: BatchNorm's num_batches_tracked, which only matters to
  // PyTorch when momentum is None (no official module here uses that). Accepted when loading, not
  // required, and written back as 0 so the official module's strict load sees its own key set.
  std::vector<std::string> untracked;

  void add(const std::string& official, const std::string& gaze_name) { names.push_back({official, gaze_name}); }
  // weight (and bias) of a Conv or Linear.
  void add_weight_bias(const std::string& official_prefix, const std::string& gaze_prefix, bool bias = true) {
    add(official_prefix + ".weight", gaze_prefix + ".weight");
    if (bias) add(official_prefix + ".bias", gaze_prefix + ".bias");
  }
  // An affine BatchNorm: weight, bias, running_mean, running_var, and num_batches_tracked as untracked.
  void add_batch_norm(const std::string& official_prefix, const std::string& gaze_prefix) {
    add_weight_bias(official_prefix, gaze_prefix);
    add(official_prefix + ".running_mean", gaze_prefix + ".running_mean");
    add(official_prefix + ".running_var", gaze_prefix + ".running_var");
    untracked.push_back(official_prefix + ".num_batches_tracked");
  }
  // Every entry of a submodule's map, under the two prefixes (composite layers).
  void add_submodule(const OfficialNames& sub, const std::string& official_prefix, const std::string& gaze_prefix) {
    for (const auto& [o, g] : sub.names) add(official_prefix + "." + o, gaze_prefix + "." + g);
    for (const auto& o : sub.untracked) untracked.push_back(official_prefix + "." + o);
  }
};

}  // namespace gaze
