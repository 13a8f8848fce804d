// torchvision's ImageFolder: one folder per class under a split's folder (root/train/cat/x.jpg),
// classes in sorted order of their folder names (the label is the position), each class's image
// files (.png .jpg .jpeg .bmp, any case, in subfolders too) in sorted order. Images are decoded
// as RGB on demand, in the loader's worker threads, then transformed (image_transforms.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_transforms.h"

namespace gaze {

struct ImageFolderIndex {
  std::string folder;                     // the split's folder
  std::vector<std::string> class_names;   // sorted folder names
  std::vector<std::string> files;         // every image, class after class
  std::vector<int64_t> labels;            // files[i]'s class
};

// Whether `path` ends in .png, .jpg, .jpeg or .bmp (any case).
bool has_image_extension(const std::string& path);

// Indexes `folder`. A missing folder, no class folders, or class folders without images (all
// named in one message) is a gaze::Error.
ImageFolderIndex scan_image_folder(const std::string& folder);

// The splits of an ImageFolder tree: root/train and root/val, and root/test when it exists
// (otherwise the val split is the test split too, as ImageNet's users do). Every split must have
// the training split's classes.
struct ImageFolderSplits {
  ImageFolderIndex train, val, test;
  bool test_is_val = false;
};
ImageFolderSplits scan_image_folder_splits(const std::string& root);

class ImageFolderSource : public ExampleSource {
 public:
  // `train` applies when example() is given a Generator (training), `eval` otherwise; both must
  // end at images of eval.size (checked here).
  ImageFolderSource(ImageFolderIndex index, ImageTransformOptions train, ImageTransformOptions eval);

  int64_t size() const override { return static_cast<int64_t>(index_.files.size()); }
  Shape input_shape() const override { return {3, eval_.size, eval_.size}; }
  Shape target_shape() const override { return {}; }
  void example(int64_t index, Generator* augment, float* input, int64_t* target) const override;
  const std::vector<std::string>& class_names() const override { return index_.class_names; }

  const ImageFolderIndex& index() const { return index_; }

 private:
  ImageFolderIndex index_;
  ImageTransformOptions train_, eval_;
};

}  // namespace gaze
