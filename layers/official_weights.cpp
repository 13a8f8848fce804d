#include "layers/official_weights.h"

#include <set>

#include "autograd/grad_mode.h"
#include "framework/error.h"

namespace gaze {

namespace {

// The map must name every tensor of the layer exactly once, and nothing else: a map that does
// not is a bug in gaze (the layer's official_names()), not in the user's file.
void check_map_covers(const Module& module, const OfficialNames& map, const std::map<std::string, Tensor>& own) {
  std::set<std::string> mapped;
  for (const auto& [official, name] : map.names) {
    if (!own.count(name))
      fail("{}: the official-name map ({}) names '{}' as '{}', which the layer does not have (a bug in gaze)", module.type_name(),
           map.source, official, name);
    if (!mapped.insert(name).second) fail("{}: the official-name map names '{}' twice (a bug in gaze)", module.type_name(), name);
  }
  for (const auto& [name, _] : own)
    if (!mapped.count(name))
      fail("{}: the official-name map ({}) has no official name for '{}' (a bug in gaze)", module.type_name(), map.source, name);
}

}  // namespace

OfficialLoadReport load_official_state_dict(Module& module, const std::map<std::string, Tensor>& state, bool strict,
                                            const std::string& what) {
  OfficialNames map = module.official_names();
  std::map<std::string, Tensor> own = module.state_dict();
  check_map_covers(module, map, own);

  OfficialLoadReport report;
  std::set<std::string> known(map.untracked.begin(), map.untracked.end());
  for (const auto& [official, _] : map.names) {
    known.insert(official);
    if (!state.count(official)) report.missing.push_back(official);
  }
  for (const auto& [key, _] : state)
    if (!known.count(key)) report.unexpected.push_back(key);

  std::vector<std::string> problems;
  if (strict && !report.missing.empty()) problems.push_back(fmt::format("missing keys [{}]", fmt::join(report.missing, ", ")));
  if (strict && !report.unexpected.empty())
    problems.push_back(fmt::format("unexpected keys [{}]", fmt::join(report.unexpected, ", ")));
  for (const auto& [official, name] : map.names) {
    auto it = state.find(official);
    if (it == state.end()) continue;
    const Tensor& given = it->second;
    const Tensor& target = own.at(name);
    if (given.shape() != target.shape())
      problems.push_back(fmt::format("size mismatch for {} (gaze {}): {} in {}, {} in the layer", official, name,
                                     shape_str(given.shape()), what, shape_str(target.shape())));
    else if (is_floating(target.dtype()) && !is_floating(given.dtype()))
      problems.push_back(fmt::format("{} is {} in {}; the layer's {} is floating point", official, dtype_name(given.dtype()), what, name));
  }
  if (!problems.empty())
    fail("loading the official state of {} ({}) from {}: {}{}", module.type_name(), map.source, what, fmt::join(problems, "; "),
         strict && (!report.missing.empty() || !report.unexpected.empty())
             ? " (the layer's options must match the official module's; docs/official-weights.md)"
             : "");

  NoGradGuard no_grad;
  for (const auto& [official, name] : map.names) {
    auto it = state.find(official);
    if (it != state.end()) Tensor(own.at(name)).copy_(it->second);
  }
  return report;
}

std::vector<std::pair<std::string, Tensor>> official_state_dict(const Module& module) {
  OfficialNames map = module.official_names();
  std::map<std::string, Tensor> own = module.state_dict();
  check_map_covers(module, map, own);
  std::vector<std::pair<std::string, Tensor>> out;
  for (const auto& [official, name] : map.names) out.push_back({official, own.at(name).detach()});
  for (const auto& official : map.untracked) out.push_back({official, from_vector(std::vector<int64_t>{0}, Shape{})});
  return out;
}

}  // namespace gaze
