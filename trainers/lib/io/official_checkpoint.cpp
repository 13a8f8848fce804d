#include "trainers/lib/io/official_checkpoint.h"

#include "trainers/lib/io/safetensors.h"

namespace gaze {

OfficialLoadReport load_official_checkpoint(Module& module, const std::string& path, bool strict) {
  SafetensorsFile file = load_safetensors(path);
  std::map<std::string, Tensor> state(file.tensors.begin(), file.tensors.end());
  return load_official_state_dict(module, state, strict, path);
}

void save_official_checkpoint(const std::string& path, const Module& module) {
  save_safetensors(path, official_state_dict(module), {{"format", "pt"}, {"gaze.official_source", module.official_names().source}});
}

}  // namespace gaze
