// Safetensors files of a layer's state under its authors' PyTorch names: read into a gaze layer,
// or written from one (the names: Module::official_names(); the renaming and strict-load checks:
// layers/official_weights.h). A file written by `safetensors.torch.save_file(module.state_dict())`
// of the official module loads; a file written here loads back with `module.load_state_dict(...,
// strict=True)`. docs/official-weights.md walks through it.
#pragma once
#include <string>

#include "layers/official_weights.h"

namespace gaze {

// Reads `path` whole (load_safetensors' checks) and loads it through the layer's map.
OfficialLoadReport load_official_checkpoint(Module& module, const std::string& path, bool strict = true);

// Writes the layer's state under the official names, atomically, with metadata "format": "pt" (as
// safetensors.torch writes) and "gaze.official_source" naming the code the names follow.
void save_official_checkpoint(const std::string& path, const Module& module);

}  // namespace gaze
