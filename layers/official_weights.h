// Loading a state dict named as in a layer's official PyTorch code into the gaze layer, and
// writing the gaze layer's state back under those names, through the layer's map
// (Module::official_names(), layers/official_names.h). The files themselves are safetensors
// (trainers/lib/io/official_checkpoint.h; `gaze convert`).
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "layers/module.h"

namespace gaze {

// What a non-strict load left out, as PyTorch's load_state_dict(strict=False) returns it.
struct OfficialLoadReport {
  std::vector<std::string> missing;     // official keys the layer needs that `state` lacks
  std::vector<std::string> unexpected;  // keys of `state` the official module does not have
};

// Copies `state` (official names → tensors) into `module`. Like PyTorch's
// load_state_dict(strict=True): every key of the official module must be there and no other (the
// untracked num_batches_tracked may be absent), else one gaze::Error lists the missing and the
// unexpected keys. Shapes must match in either mode: a mismatch names the official key, the gaze
// key, the shape in `state` and the shape the layer has (usually an option differs from the
// checkpoint's: reduction, inter_channels, kernel). Every check runs before anything is copied,
// so a state that does not fit leaves the module unchanged. Floating-point tensors are converted
// to the module's dtype. `what` names the source in messages (a file path).
OfficialLoadReport load_official_state_dict(Module& module, const std::map<std::string, Tensor>& state, bool strict = true,
                                            const std::string& what = "the state");

// The module's parameters and buffers under the official names, in the official module's order,
// plus each untracked key (num_batches_tracked) as an int64 scalar 0: exactly the key set of the
// official module's state_dict().
std::vector<std::pair<std::string, Tensor>> official_state_dict(const Module& module);

}  // namespace gaze
