// An in-memory labelled image set (uint8 pixels, N×C×H×W), Fashion-MNIST's loader and a seeded
// train/validation split.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gaze {

struct ImageSet {
  int64_t channels = 1, height = 0, width = 0;
  std::vector<uint8_t> pixels;  // size() * channels * height * width, image after image
  std::vector<int64_t> labels;
  std::vector<std::string> class_names;

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t image_bytes() const { return channels * height * width; }
  const uint8_t* image(int64_t i) const { return pixels.data() + i * image_bytes(); }
  // The images at `indices`, in that order (a copy); each index must be in [0, size()).
  ImageSet subset(const std::vector<int64_t>& indices) const;
};

// Fashion-MNIST's ten classes, in label order.
const std::vector<std::string>& fashion_mnist_class_names();

// Loads split "train" (60000 images) or "test" (10000) from `root`, which holds
// {train,t10k}-images-idx3-ubyte and {train,t10k}-labels-idx1-ubyte, each plain or with .gz.
// Debian's dataset-fashion-mnist puts them under /usr/share/datasets/fashion-mnist.
ImageSet load_fashion_mnist(const std::string& root, const std::string& split);

// Splits `set` into (train, validation): a permutation drawn from Generator(seed) picks
// round(val_fraction × N) images for validation, the rest stay for training; both keep the
// original order. The same seed gives the same split.
std::pair<ImageSet, ImageSet> split_train_val(const ImageSet& set, double val_fraction, uint64_t seed);

}  // namespace gaze
