// What this build of gaze links: library versions and devices, for `gaze info` and the run
// manifests.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace gaze {

struct BuildInfo {
  std::string version, commit, build_type, compiler;
  std::vector<std::pair<std::string, std::string>> libraries;  // name, version (or why absent)
  std::vector<std::string> devices;                            // "cpu (2 hardware threads)", "cuda:0 ..."
  std::string cuda_status;                                     // why no GPU is listed, if none is
};

BuildInfo build_info();

}  // namespace gaze
