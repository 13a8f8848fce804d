#include "trainers/datasets/cifar10.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "framework/error.h"

namespace gaze {

namespace {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarImageBytes = 3 * kCifarSide * kCifarSide;
constexpr int64_t kCifarRecordBytes = 1 + kCifarImageBytes;

// `root` itself when it holds the batches, else `root`/cifar-10-batches-bin.
std::filesystem::path cifar10_batches_folder(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_regular_file(fs::path(root) / "test_batch.bin", ec)) return root;
  const fs::path nested = fs::path(root) / "cifar-10-batches-bin";
  if (fs::is_directory(nested, ec)) return nested;
  fail("CIFAR-10: {} holds neither test_batch.bin nor a cifar-10-batches-bin folder; download the binary version "
       "(cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html), extract it and set data.root to the folder "
       "that holds cifar-10-batches-bin",
       root);
}

void append_cifar10_batch(const std::filesystem::path& path, ImageSet& set) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("CIFAR-10: {}: missing; the binary version has data_batch_1.bin to data_batch_5.bin and test_batch.bin (extract "
         "cifar-10-binary.tar.gz again)",
         path.string());
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("CIFAR-10: {}: cannot open it for reading; check its permissions", path.string());
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto size = static_cast<int64_t>(bytes.size());
  if (size == 0 || size % kCifarRecordBytes != 0)
    fail("CIFAR-10: {}: {} bytes is not a whole number of {}-byte records (1 label byte + 3x32x32 pixels); the file is truncated "
         "or not from the binary version (the Python version's pickles do not load here)",
         path.string(), size, kCifarRecordBytes);
  const int64_t records = size / kCifarRecordBytes;
  set.pixels.reserve(set.pixels.size() + static_cast<size_t>(records * kCifarImageBytes));
  for (int64_t r = 0; r < records; ++r) {
    const uint8_t* record = bytes.data() + r * kCifarRecordBytes;
    if (record[0] > 9)
      fail("CIFAR-10: {}: record {} has label {}; CIFAR-10's labels are 0 to 9 (is this CIFAR-100's file?)", path.string(), r,
           record[0]);
    set.labels.push_back(record[0]);
    set.pixels.insert(set.pixels.end(), record + 1, record + kCifarRecordBytes);
  }
}

}  // namespace

const std::vector<std::string>& cifar10_class_names() {
  static const std::vector<std::string> names{"airplane", "automobile", "bird", "cat", "deer",
                                              "dog",      "frog",       "horse", "ship", "truck"};
  return names;
}

const std::vector<double>& cifar10_mean() {
  static const std::vector<double> mean{0.4914, 0.4822, 0.4465};
  return mean;
}

const std::vector<double>& cifar10_std() {
  static const std::vector<double> std{0.2470, 0.2435, 0.2616};
  return std;
}

ImageSet load_cifar10(const std::string& root, const std::string& split) {
  if (split != "train" && split != "test") fail("CIFAR-10: split '{}' does not exist; it has train and test", split);
  const std::filesystem::path folder = cifar10_batches_folder(root);
  ImageSet set;
  set.channels = 3;
  set.height = kCifarSide;
  set.width = kCifarSide;
  set.class_names = cifar10_class_names();
  if (split == "train") {
    for (int b = 1; b <= 5; ++b) append_cifar10_batch(folder / ("data_batch_" + std::to_string(b) + ".bin"), set);
  } else {
    append_cifar10_batch(folder / "test_batch.bin", set);
  }
  return set;
}

}  // namespace gaze
