// Debian's Fashion-MNIST, loaded once for the whole suite (decompressing 47 MB costs a few hundred
// milliseconds).
#pragma once
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "trainers/lib/data/image_set.h"

namespace gaze::test {

inline constexpr const char* kFashionRoot = "/usr/share/datasets/fashion-mnist";

inline const ImageSet& fashion(const std::string& split) {
  REQUIRE_MESSAGE(std::filesystem::is_directory(kFashionRoot), "Fashion-MNIST is missing: apt-get install dataset-fashion-mnist");
  static const ImageSet train = load_fashion_mnist(kFashionRoot, "train");
  static const ImageSet test = load_fashion_mnist(kFashionRoot, "test");
  return split == "train" ? train : test;
}

}  // namespace gaze::test
