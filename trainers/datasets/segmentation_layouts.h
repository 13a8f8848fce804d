// Where the segmentation datasets keep their images and label maps: the list of (image, label)
// file pairs of one split, for Cityscapes' naming and for the image-folder + label-folder layout
// that Pascal VOC, ADE20K and most others use (mmseg's BaseSegDataset: a folder of images, a
// folder of label maps with the same stems, file suffixes, and optionally a list of stems).
// Listing checks that every image has its label file and names the first one that does not.
#pragma once
#include <string>
#include <vector>

namespace gaze {

struct SegmentationPair {
  std::string image, label;
};

// An image folder and a label folder under `root`. In image_dir, label_dir and split_file the text
// "{split}" stands for the split's name.
struct FolderLayout {
  std::string root, split;
  std::string image_dir, label_dir;    // e.g. "JPEGImages", "SegmentationClass"
  std::string image_suffix = ".jpg", label_suffix = ".png";
  // A text file of stems, one per line (VOC's ImageSets/Segmentation/train.txt); empty: every file
  // of image_dir ending in image_suffix, sorted by name.
  std::string split_file;
};

// The pairs of `layout`, in the split file's order (or sorted). Errors name the missing folder,
// split file or label file.
std::vector<SegmentationPair> list_folder_pairs(const FolderLayout& layout);

// Cityscapes: leftImg8bit/<split>/<city>/<name>_leftImg8bit.png with
// gtFine/<split>/<city>/<name>_gtFine_labelTrainIds.png, sorted by city and name.
std::vector<SegmentationPair> list_cityscapes_pairs(const std::string& root, const std::string& split);

// The layouts of Pascal VOC 2012 (root: VOCdevkit/VOC2012; labels from SegmentationClass, or from
// SegmentationClassAug when `augmented`) and of ADE20K (root: ADEChallengeData2016, split
// "training" or "validation").
FolderLayout voc_layout(const std::string& root, const std::string& split, bool augmented);
FolderLayout ade20k_layout(const std::string& root, const std::string& split);

}  // namespace gaze
