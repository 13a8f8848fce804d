// Config inheritance: a config file may name other config files in a top-level `_base_` key (one
// path, or a list), as mmengine's configs do. A path is relative to the file that names it. The
// bases apply first, in the order listed (each after its own bases), then the file's own keys;
// config.cpp merges them section by section, key by key.
//
// Errors name the place of the `_base_` entry at fault: a base that is missing, a `_base_` that is
// not a path or a list of paths, and a chain of bases that comes back to a file already in it.
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace gaze {

// The key that names a config's bases.
inline constexpr const char* kBaseKey = "_base_";

// One file of a config's chain and its parsed contents. `path` is how messages and `gaze config
// --sources` name it: the path given, or a base's path joined to its includer's folder.
struct ConfigLayer {
  std::string path;
  YAML::Node root;
};

// `path` and every file its `_base_` names, recursively, in the order their keys apply: the last
// is `path` itself. A file reached through two bases appears twice (its keys apply again there).
std::vector<ConfigLayer> config_layers(const std::string& path);

}  // namespace gaze
