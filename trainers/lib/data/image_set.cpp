#include "trainers/lib/data/image_set.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "framework/error.h"
#include "framework/random.h"
#include "trainers/lib/data/idx.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

ImageSet ImageSet::subset(const std::vector<int64_t>& indices) const {
  ImageSet out;
  out.channels = channels;
  out.height = height;
  out.width = width;
  out.class_names = class_names;
  const int64_t bytes = image_bytes();
  out.pixels.resize(indices.size() * static_cast<size_t>(bytes));
  out.labels.reserve(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const int64_t i = indices[k];
    if (i < 0 || i >= size()) fail("ImageSet::subset: index {} is outside the set of {} images", i, size());
    std::copy_n(image(i), bytes, out.pixels.data() + static_cast<int64_t>(k) * bytes);
    out.labels.push_back(labels[static_cast<size_t>(i)]);
  }
  return out;
}

const std::vector<std::string>& fashion_mnist_class_names() {
  static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                              "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return names;
}

namespace {

// `root`/`name` or `root`/`name`.gz, whichever exists (plain first: it is what a user unpacked).
std::string find_idx_file(const std::string& root, const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path plain = fs::path(root) / name;
  const fs::path gz = fs::path(root) / (name + ".gz");
  std::error_code ec;
  if (fs::is_regular_file(plain, ec)) return plain.string();
  if (fs::is_regular_file(gz, ec)) return gz.string();
  const std::string where = fs::is_directory(root, ec) ? "" : fmt::format(" (the folder {} does not exist)", root);
  fail("Fashion-MNIST: {} not found, nor {}{}; install the Debian package with `apt-get install dataset-fashion-mnist` "
       "(it puts the files under /usr/share/datasets/fashion-mnist) or set data.root to the folder that holds them",
       plain.string(), gz.string(), where);
}

}  // namespace

ImageSet load_fashion_mnist(const std::string& root, const std::string& split) {
  if (split != "train" && split != "test") fail("Fashion-MNIST: unknown split '{}'; valid splits: train, test", split);
  const std::string prefix = split == "train" ? "train" : "t10k";
  const std::string images_path = find_idx_file(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_idx_file(root, prefix + "-labels-idx1-ubyte");
  IdxArray images = read_idx(images_path, 3);  // the ranks are checked from the magic numbers
  IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0]) {
    fail("Fashion-MNIST {}: {} holds {} images but {} holds {} labels; the files do not belong together", split,
         images_path, images.dims[0], labels_path, labels.dims[0]);
  }
  const auto& names = fashion_mnist_class_names();
  ImageSet set;
  set.channels = 1;
  set.height = images.dims[1];
  set.width = images.dims[2];
  set.pixels = std::move(images.data);
  set.class_names = names;
  set.labels.reserve(labels.data.size());
  for (size_t i = 0; i < labels.data.size(); ++i) {
    const uint8_t label = labels.data[i];
    if (label >= names.size()) {
      fail("{}: label {} of image {} is outside [0, {}): not a Fashion-MNIST label file", labels_path, label, i,
           names.size());
    }
    set.labels.push_back(label);
  }
  return set;
}

std::pair<ImageSet, ImageSet> split_train_val(const ImageSet& set, double val_fraction, uint64_t seed) {
  if (!(val_fraction >= 0.0 && val_fraction < 1.0)) {
    fail("split_train_val: val_fraction {} must be in [0, 1) (the share of images held out for validation)", val_fraction);
  }
  const int64_t n = set.size();
  const auto val_count = static_cast<int64_t>(std::llround(val_fraction * static_cast<double>(n)));
  Generator rng(seed);
  std::vector<int64_t> order = random_permutation(n, rng);
  std::vector<int64_t> val(order.begin(), order.begin() + val_count);
  std::vector<int64_t> train(order.begin() + val_count, order.end());
  // Original order inside each part: the loader shuffles anyway, and a sorted subset is
  // easier to inspect.
  std::sort(val.begin(), val.end());
  std::sort(train.begin(), train.end());
  return {set.subset(train), set.subset(val)};
}

}  // namespace gaze
