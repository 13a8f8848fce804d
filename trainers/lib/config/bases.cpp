#include "trainers/lib/config/bases.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "framework/error.h"
#include "layers/yaml_values.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

// The paths a file's `_base_` gives, each with its node (for its position in messages).
std::vector<YAML::Node> base_entries(const YAML::Node& root, const std::string& path) {
  if (!root.IsMap()) return {};
  for (const auto& item : root) {
    if (!item.first.IsScalar() || item.first.Scalar() != kBaseKey) continue;
    const YAML::Node& value = item.second;
    std::vector<YAML::Node> entries;
    if (value.IsScalar()) entries.push_back(value);
    if (value.IsSequence())
      for (const auto& entry : value) entries.push_back(entry);
    const bool paths = (value.IsScalar() || value.IsSequence()) &&
                       std::all_of(entries.begin(), entries.end(), [](const YAML::Node& e) { return e.IsScalar() && !e.Scalar().empty(); });
    if (!paths)
      fail("{}: {} names the configs this one builds on: a path or a list of paths (relative to this file), e.g. "
           "'_base_: ../classification/resnet.yaml', got '{}'",
           yaml_position(value.IsNull() ? item.first : value, path), kBaseKey, yaml_shown(value));
    return entries;
  }
  return {};
}

fs::path identity(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? fs::path(path).lexically_normal() : canonical;
}

struct ChainWalk {
  std::vector<ConfigLayer> layers;
  std::vector<std::string> chain;  // the files being read, outermost first: to name a cycle
  std::vector<fs::path> chain_ids;

  void visit(const std::string& path) {
    const YAML::Node root = load_yaml_file(path);
    chain.push_back(path);
    chain_ids.push_back(identity(path));
    for (const YAML::Node& entry : base_entries(root, path)) {
      const std::string named = entry.Scalar();
      const std::string base = (fs::path(path).parent_path() / named).lexically_normal().string();
      const std::string at = yaml_position(entry, path);
      std::error_code ec;
      if (!fs::exists(base, ec))
        fail("{}: {} file '{}' not found (looked for {}; a base's path is relative to the file naming it)", at, kBaseKey, named, base);
      if (!fs::is_regular_file(base, ec)) fail("{}: {} '{}' is not a file ({})", at, kBaseKey, named, base);
      const auto loop = std::find(chain_ids.begin(), chain_ids.end(), identity(base));
      if (loop != chain_ids.end()) {
        std::vector<std::string> cycle(chain.begin() + (loop - chain_ids.begin()), chain.end());
        cycle.push_back(base);
        fail("{}: {} '{}' makes a cycle: {}; a config cannot build on itself", at, kBaseKey, named, fmt::join(cycle, " -> "));
      }
      visit(base);
    }
    chain.pop_back();
    chain_ids.pop_back();
    layers.push_back({path, root});
  }
};

}  // namespace

std::vector<ConfigLayer> config_layers(const std::string& path) {
  ChainWalk walk;
  walk.visit(path);
  return walk.layers;
}

}  // namespace gaze
