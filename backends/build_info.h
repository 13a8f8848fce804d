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

// `open_on_demand_libraries`: also open the libraries gaze loads when first used (cuBLAS: ~0.5 s)
// to show the versions found at run time and check that they load, as `gaze info` does; without
// it (the run manifests, --version) they show the versions of the headers gaze was built with.
BuildInfo build_info(bool open_on_demand_libraries = false);

}  // namespace gaze
