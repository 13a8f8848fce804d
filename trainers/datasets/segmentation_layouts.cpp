#include "trainers/datasets/segmentation_layouts.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "framework/error.h"

namespace gaze {

namespace fs = std::filesystem;

namespace {

std::string with_split(std::string text, const std::string& split) {
  const std::string placeholder = "{split}";
  for (size_t at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + split.size()))
    text.replace(at, placeholder.size(), split);
  return text;
}

bool ends_with_text(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void require_directory(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) fail("{}: no such directory; {}", dir.string(), what);
}

std::vector<std::string> read_stems(const fs::path& file) {
  std::ifstream in(file);
  if (!in) fail("{}: cannot read the split file; check data.root and the split name (it lists one image name per line)", file.string());
  std::vector<std::string> stems;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (!line.empty()) stems.push_back(line.substr(0, line.find_first_of(" \t")));
  }
  if (stems.empty()) fail("{}: the split file lists no images", file.string());
  return stems;
}

}  // namespace

std::vector<SegmentationPair> list_folder_pairs(const FolderLayout& layout) {
  const fs::path root(layout.root);
  const fs::path images = root / with_split(layout.image_dir, layout.split), labels = root / with_split(layout.label_dir, layout.split);
  require_directory(images, "the images of split '" + layout.split + "' should be there (check data.root)");
  require_directory(labels, "the label maps of split '" + layout.split + "' should be there (check data.root)");
  std::vector<std::string> stems;
  if (!layout.split_file.empty()) {
    stems = read_stems(root / with_split(layout.split_file, layout.split));
  } else {
    for (const auto& entry : fs::directory_iterator(images)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_regular_file() && ends_with_text(name, layout.image_suffix))
        stems.push_back(name.substr(0, name.size() - layout.image_suffix.size()));
    }
    std::sort(stems.begin(), stems.end());
    if (stems.empty()) fail("{}: no image ends in '{}'; check data.root and the image suffix", images.string(), layout.image_suffix);
  }
  std::vector<SegmentationPair> pairs;
  for (const auto& stem : stems) {
    SegmentationPair p{(images / (stem + layout.image_suffix)).string(), (labels / (stem + layout.label_suffix)).string()};
    std::error_code ec;
    if (!fs::is_regular_file(p.image, ec))
      fail("{}: missing; {} names it, so the image should be there", p.image,
           layout.split_file.empty() ? images.string() : (root / with_split(layout.split_file, layout.split)).string());
    if (!fs::is_regular_file(p.label, ec))
      fail("{}: missing; every image in {} needs its label map <name>{} in {}", p.label, images.string(), layout.label_suffix,
           labels.string());
    pairs.push_back(std::move(p));
  }
  return pairs;
}

std::vector<SegmentationPair> list_cityscapes_pairs(const std::string& root, const std::string& split) {
  const fs::path images = fs::path(root) / "leftImg8bit" / split, labels = fs::path(root) / "gtFine" / split;
  require_directory(images, "Cityscapes' images (leftImg8bit_trainvaltest.zip) should be there; data.root is the folder holding leftImg8bit/ and gtFine/");
  require_directory(labels, "Cityscapes' labels (gtFine_trainvaltest.zip) should be there; data.root is the folder holding leftImg8bit/ and gtFine/");
  const std::string image_suffix = "_leftImg8bit.png", label_suffix = "_gtFine_labelTrainIds.png";
  std::vector<fs::path> cities;
  for (const auto& entry : fs::directory_iterator(images))
    if (entry.is_directory()) cities.push_back(entry.path().filename());
  std::sort(cities.begin(), cities.end());
  std::vector<SegmentationPair> pairs;
  for (const auto& city : cities) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(images / city)) {
      const std::string name = entry.path().filename().string();
      if (!entry.is_regular_file()) continue;
      if (!ends_with_text(name, image_suffix))
        fail("{}: not a Cityscapes image name; leftImg8bit/{}/<city>/ holds only <city>_<seq>_<frame>{} files", entry.path().string(), split,
             image_suffix);
      names.push_back(name.substr(0, name.size() - image_suffix.size()));
    }
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      SegmentationPair p{(images / city / (name + image_suffix)).string(), (labels / city / (name + label_suffix)).string()};
      std::error_code ec;
      if (!fs::is_regular_file(p.label, ec))
        fail("{}: missing; every image in leftImg8bit/{} needs its label file (Cityscapes' createTrainIdLabelImgs.py makes them)", p.label,
             split);
      pairs.push_back(std::move(p));
    }
  }
  if (pairs.empty()) fail("{}: no images in any city folder; check data.root", images.string());
  return pairs;
}

FolderLayout voc_layout(const std::string& root, const std::string& split, bool augmented) {
  FolderLayout l;
  l.root = root;
  l.split = split;
  l.image_dir = "JPEGImages";
  l.label_dir = augmented ? "SegmentationClassAug" : "SegmentationClass";
  l.split_file = "ImageSets/Segmentation/{split}.txt";
  return l;
}

FolderLayout ade20k_layout(const std::string& root, const std::string& split) {
  FolderLayout l;
  l.root = root;
  l.split = split;
  l.image_dir = "images/{split}";
  l.label_dir = "annotations/{split}";
  return l;
}

}  // namespace gaze
