// CIFAR-10 in its binary form (https://www.cs.toronto.edu/~kriz/cifar.html, "CIFAR-10 binary
// version"): cifar-10-batches-bin/data_batch_{1..5}.bin (training) and test_batch.bin, each
// 10000 records of one label byte and 3072 pixel bytes (the red, green and blue 32x32 planes).
#pragma once
#include <string>
#include <vector>

#include "trainers/lib/data/image_set.h"

namespace gaze {

// CIFAR-10's ten classes, in label order (batches.meta.txt).
const std::vector<std::string>& cifar10_class_names();

// The channel means and standard deviations of CIFAR-10's training images (pixels / 255), the
// values CIFAR training recipes normalize with.
const std::vector<double>& cifar10_mean();
const std::vector<double>& cifar10_std();

// Loads split "train" (the five data batches, 50000 images) or "test" (10000) as 3x32x32 images.
// `root` is the folder cifar-10-batches-bin, or the folder holding it (where the archive was
// extracted). A missing batch, a file whose size is not a whole number of records, or a label
// above 9 is one gaze::Error naming the file (and the record).
ImageSet load_cifar10(const std::string& root, const std::string& split);

}  // namespace gaze
