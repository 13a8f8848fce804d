#include "trainers/datasets/image_folder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "framework/error.h"
#include "trainers/lib/io/image_file.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

std::string image_folder_lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The image files under a class folder, in torchvision's order: folder by folder (sorted paths),
// file names sorted within each.
std::vector<std::string> class_folder_images(const fs::path& folder) {
  std::vector<std::pair<std::string, std::string>> found;  // (parent folder, file name)
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && has_image_extension(it->path().string()))
      found.emplace_back(it->path().parent_path().string(), it->path().filename().string());
  }
  if (ec) fail("ImageFolder: cannot list {} ({}); check its permissions", folder.string(), ec.message());
  std::sort(found.begin(), found.end());
  std::vector<std::string> files;
  files.reserve(found.size());
  for (const auto& [parent, name] : found) files.push_back((fs::path(parent) / name).string());
  return files;
}

void check_same_classes(const ImageFolderIndex& split, const ImageFolderIndex& train) {
  if (split.class_names == train.class_names) return;
  std::vector<std::string> missing, extra;
  for (const auto& c : train.class_names)
    if (std::find(split.class_names.begin(), split.class_names.end(), c) == split.class_names.end()) missing.push_back(c);
  for (const auto& c : split.class_names)
    if (std::find(train.class_names.begin(), train.class_names.end(), c) == train.class_names.end()) extra.push_back(c);
  fail("ImageFolder: {} has other classes than {} (missing: [{}], not in train: [{}]); labels are positions in the sorted class list, "
       "so every split needs the same class folders",
       split.folder, train.folder, fmt::join(missing, ", "), fmt::join(extra, ", "));
}

}  // namespace

bool has_image_extension(const std::string& path) {
  const std::string extension = image_folder_lower_case(fs::path(path).extension().string());
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp";
}

ImageFolderIndex scan_image_folder(const std::string& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    fail("ImageFolder: {} is not a folder; an ImageFolder tree has one folder per class under each split (train/CLASS/IMAGE.jpg)", folder);
  ImageFolderIndex index;
  index.folder = folder;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (entry.is_directory(ec)) index.class_names.push_back(entry.path().filename().string());
  }
  if (ec) fail("ImageFolder: cannot list {} ({}); check its permissions", folder, ec.message());
  if (index.class_names.empty())
    fail("ImageFolder: {} has no class folders; put each class's images in a folder named after it ({}/CLASS/IMAGE.jpg)", folder, folder);
  std::sort(index.class_names.begin(), index.class_names.end());
  std::vector<std::string> empty_classes;
  for (size_t c = 0; c < index.class_names.size(); ++c) {
    const std::vector<std::string> files = class_folder_images(fs::path(folder) / index.class_names[c]);
    if (files.empty()) empty_classes.push_back(index.class_names[c]);
    for (const auto& file : files) {
      index.files.push_back(file);
      index.labels.push_back(static_cast<int64_t>(c));
    }
  }
  if (!empty_classes.empty())
    fail("ImageFolder: {}: the class folder(s) {} hold no .png, .jpg, .jpeg or .bmp image; every class needs at least one "
         "(remove the folder, or add its images)",
         folder, fmt::join(empty_classes, ", "));
  return index;
}

ImageFolderSplits scan_image_folder_splits(const std::string& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) fail("ImageFolder: data.root {} is not a folder; it should hold train/ and val/ (and test/)", root);
  ImageFolderSplits splits;
  splits.train = scan_image_folder((fs::path(root) / "train").string());
  splits.val = scan_image_folder((fs::path(root) / "val").string());
  check_same_classes(splits.val, splits.train);
  if (fs::is_directory(fs::path(root) / "test", ec)) {
    splits.test = scan_image_folder((fs::path(root) / "test").string());
    check_same_classes(splits.test, splits.train);
  } else {
    splits.test = splits.val;
    splits.test_is_val = true;
  }
  return splits;
}

ImageFolderSource::ImageFolderSource(ImageFolderIndex index, ImageTransformOptions train, ImageTransformOptions eval)
    : index_(std::move(index)), train_(std::move(train)), eval_(std::move(eval)) {
  validate_image_transforms(train_, 3, "data.transforms");
  validate_image_transforms(eval_, 3, "data.eval_transforms");
  if (train_.size != eval_.size)
    fail("ImageFolder: training crops of {} and evaluation crops of {} differ; a model sees one size", train_.size, eval_.size);
  for (const std::string& name : eval_.names) {
    if (name == "random_resized_crop")
      fail("data.eval_transforms: random_resized_crop is a training transform (evaluation skips random ones, so sizes would differ); "
           "evaluate with resize, center_crop");
  }
}

void ImageFolderSource::example(int64_t index, Generator* augment, float* input, int64_t* target) const {
  if (index < 0 || index >= size()) fail("ImageFolder: index {} is outside the set of {} images", index, size());
  const std::string& path = index_.files[static_cast<size_t>(index)];
  FloatImage image = to_float_image(read_image(path, 3));
  apply_image_transforms(image, augment ? train_ : eval_, augment);
  if (image.channels != 3 || image.height != eval_.size || image.width != eval_.size)
    fail("ImageFolder: {} came out of the transforms {}x{}, not {}x{}", path, image.height, image.width, eval_.size, eval_.size);
  std::copy(image.pixels.begin(), image.pixels.end(), input);
  *target = index_.labels[static_cast<size_t>(index)];
}

}  // namespace gaze
