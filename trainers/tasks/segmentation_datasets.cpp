#include "trainers/tasks/segmentation_datasets.h"

#include <fmt/format.h>

#include <algorithm>

#include "framework/error.h"
#include "trainers/datasets/segmentation_class_names.h"
#include "trainers/tasks/registry.h"

namespace gaze {

namespace {

// Each dataset's defaults where its keys say "[]" or "": mmseg's configs for it.
struct SegmentationFilesPreset {
  const char* name;
  const char* train_split;
  const char* val_split;
  Size2 crop, scale;
  const char* doc;
};
constexpr SegmentationFilesPreset kPresets[] = {
    {"cityscapes", "train", "val", {512, 1024}, {1024, 2048},
     "Cityscapes fine annotations: leftImg8bit/ + gtFine/*_labelTrainIds.png, 19 classes (docs/datasets.md)"},
    {"pascal_voc", "train", "val", {512, 512}, {512, 2048},
     "Pascal VOC 2012: JPEGImages/ + SegmentationClass/ (or SegmentationClassAug/), ImageSets/Segmentation/<split>.txt, 21 classes"},
    {"ade20k", "training", "validation", {512, 512}, {512, 2048},
     "ADE20K (ADEChallengeData2016): images/<split>/*.jpg + annotations/<split>/*.png, 150 classes (reduce_zero_label)"},
    {"segmentation_folder", "train", "val", {512, 512}, {512, 2048},
     "any image folder + label folder of grey (or VOC palette) PNGs, with optional split files (data.image_dir, data.label_dir)"},
};

const SegmentationFilesPreset& preset(const std::string& dataset) {
  for (const auto& p : kPresets)
    if (dataset == p.name) return p;
  fail("'{}' is not a segmentation dataset read from files", dataset);
}

Size2 size_key(const Config& config, const std::string& key, Size2 fallback) {
  const std::vector<int64_t> v = config.integers(key);
  if (v.empty()) return fallback;
  if (v.size() != 2) fail("{}: {} is [height, width], two values (got {}); [] for the dataset's default", config.where(key), key, v.size());
  return {v[0], v[1]};
}

std::string text_or(const Config& config, const std::string& key, const std::string& fallback) {
  const std::string v = config.text(key);
  return v.empty() ? fallback : v;
}

std::vector<SegmentationPair> list_pairs(const Config& config, const std::string& split) {
  const std::string dataset = config.text("data.dataset"), root = config.text("data.root");
  if (dataset == "cityscapes") return list_cityscapes_pairs(root, split);
  if (dataset == "pascal_voc") return list_folder_pairs(voc_layout(root, split, config.text("data.voc_labels") == "aug"));
  if (dataset == "ade20k") return list_folder_pairs(ade20k_layout(root, split));
  FolderLayout layout;
  layout.root = root;
  layout.split = split;
  layout.image_dir = config.text("data.image_dir");
  layout.label_dir = config.text("data.label_dir");
  layout.image_suffix = config.text("data.image_suffix");
  layout.label_suffix = config.text("data.label_suffix");
  layout.split_file = config.text("data.split_file");
  return list_folder_pairs(layout);
}

SegmentationFilesOptions files_options(const Config& config) {
  const std::string dataset = config.text("data.dataset");
  const SegmentationFilesPreset& p = preset(dataset);
  SegmentationFilesOptions o;
  if (dataset == "cityscapes") {
    o.class_names = cityscapes_class_names();
  } else if (dataset == "pascal_voc") {
    o.class_names = voc_class_names();
    o.labels.encoding = config.text("data.voc_labels") == "aug" ? LabelEncoding::grey_index : LabelEncoding::voc_palette;
  } else if (dataset == "ade20k") {
    o.class_names = ade20k_class_names();
    o.labels.reduce_zero_label = true;
  } else {
    o.class_names = config.texts("data.class_names");
    if (o.class_names.empty())
      fail("{}: data.class_names is empty; segmentation_folder needs the name of every class, in label order", config.where("data.class_names"));
    o.labels.encoding = config.text("data.label_encoding") == "voc_palette" ? LabelEncoding::voc_palette : LabelEncoding::grey_index;
    o.labels.reduce_zero_label = config.boolean("data.reduce_zero_label");
  }
  o.labels.classes = static_cast<int64_t>(o.class_names.size());
  o.crop = size_key(config, "data.crop_size", p.crop);
  o.scale = size_key(config, "data.scale", p.scale);
  const std::vector<int64_t> ratios = config.integers("data.ratio_range");
  if (ratios.size() != 2 || ratios[0] > ratios[1])
    fail("{}: data.ratio_range is [smallest, largest] percent of data.scale, in order (got [{}]); e.g. [50, 200]",
         config.where("data.ratio_range"), fmt::join(ratios, ", "));
  o.min_ratio = static_cast<double>(ratios[0]) / 100.0, o.max_ratio = static_cast<double>(ratios[1]) / 100.0;
  o.cat_max_ratio = config.number("data.cat_max_ratio");
  o.flip_probability = config.number("data.flip_probability");
  o.photometric_distortion = config.boolean("data.photometric_distortion");
  return o;
}

std::vector<SegmentationPair> first_pairs(std::vector<SegmentationPair> pairs, int64_t limit) {
  if (limit > 0 && static_cast<int64_t>(pairs.size()) > limit) pairs.resize(static_cast<size_t>(limit));
  return pairs;
}

std::vector<ConfigKey> files_keys() {
  using T = OptionType;
  return {
      with_range(config_key("data", "crop_size", T::integer_list, "[]",
                            "[height, width] of the training crops; []: the dataset's (cityscapes [512, 1024], others [512, 512])"),
                 8, 8192),
      with_range(config_key("data", "scale", T::integer_list, "[]",
                            "base scale [short, long] the images are fitted in, keeping their ratio (training: times a random ratio; "
                            "evaluation: as is); []: cityscapes [1024, 2048], others [512, 2048]"),
                 8, 16384),
      with_range(config_key("data", "ratio_range", T::integer_list, "[50, 200]", "RandomResize's ratio range, percent of data.scale"), 1, 1000),
      with_range(config_key("data", "cat_max_ratio", T::number, "0.75",
                            "RandomCrop: redraw a crop (up to 10 times) while one class covers this share of its labelled pixels; 1: off"),
                 0.01, 1.0),
      with_range(config_key("data", "flip_probability", T::number, "0.5", "RandomFlip: chance of a left-right mirror"), 0.0, 1.0),
      config_key("data", "photometric_distortion", T::boolean, "false",
                 "mmseg's PhotoMetricDistortion after the flip: random brightness, contrast, saturation and hue"),
      config_key("data", "train_split", T::text, "\"\"", "split trained on; empty: the dataset's (train; ade20k: training)"),
      config_key("data", "val_split", T::text, "\"\"", "split evaluated (validation and test); empty: the dataset's (val; ade20k: validation)"),
      with_choices(config_key("eval", "mode", T::text, "whole",
                              "whole: each image through the model at once; slide: overlapping eval.crop_size windows, logits averaged "
                              "(mmseg's slide_inference)"),
                   {"whole", "slide"}),
      with_range(config_key("eval", "crop_size", T::integer_list, "[]", "slide: the window [height, width]; []: data.crop_size"), 8, 8192),
      with_range(config_key("eval", "stride", T::integer_list, "[]", "slide: the step [height, width]; []: two thirds of the window"), 1, 8192),
  };
}

std::vector<ConfigKey> keys_plus(std::vector<ConfigKey> keys, std::vector<ConfigKey> more) {
  keys.insert(keys.end(), more.begin(), more.end());
  return keys;
}

}  // namespace

bool is_segmentation_files_dataset(const std::string& dataset) {
  return std::any_of(std::begin(kPresets), std::end(kPresets), [&](const auto& p) { return dataset == p.name; });
}

std::vector<std::string> segmentation_files_dataset_names() {
  std::vector<std::string> names;
  for (const auto& p : kPresets) names.emplace_back(p.name);
  return names;
}

SegmentationFilesSplits load_segmentation_files(const Config& config) {
  const SegmentationFilesPreset& p = preset(config.text("data.dataset"));
  const SegmentationFilesOptions options = files_options(config);
  SegmentationFilesSplits splits;
  splits.train = std::make_unique<SegmentationFiles>(
      first_pairs(list_pairs(config, text_or(config, "data.train_split", p.train_split)), config.integer("data.train_limit")), options);
  splits.val = std::make_unique<SegmentationFiles>(
      first_pairs(list_pairs(config, text_or(config, "data.val_split", p.val_split)), config.integer("data.test_limit")), options);
  return splits;
}

SegmentationEvalMode segmentation_eval_mode(const Config& config, const SegmentationFilesOptions& options) {
  SegmentationEvalMode mode;
  mode.slide = config.text("eval.mode") == "slide";
  mode.crop = size_key(config, "eval.crop_size", options.crop);
  mode.stride = size_key(config, "eval.stride", {std::max<int64_t>(1, mode.crop.height * 2 / 3), std::max<int64_t>(1, mode.crop.width * 2 / 3)});
  return mode;
}

void register_segmentation_files_datasets() {
  using T = OptionType;
  for (const auto& p : kPresets) {
    std::vector<ConfigKey> keys = files_keys();
    if (std::string(p.name) == "pascal_voc")
      keys = keys_plus(keys, {with_choices(config_key("data", "voc_labels", T::text, "class",
                                                 "class: SegmentationClass/ palette PNGs (colours mapped back to indices, border 255); "
                                                 "aug: SegmentationClassAug/ grey PNGs (the augmented set)"),
                                      {"class", "aug"})});
    if (std::string(p.name) == "segmentation_folder")
      keys = keys_plus(keys, {
                            config_key("data", "image_dir", T::text, "images/{split}", "image folder under data.root; {split}: the split's name"),
                            config_key("data", "label_dir", T::text, "labels/{split}", "label folder under data.root; {split}: the split's name"),
                            config_key("data", "image_suffix", T::text, ".jpg", "an image's file name is <stem><image_suffix>"),
                            config_key("data", "label_suffix", T::text, ".png", "its label map's is <stem><label_suffix>"),
                            config_key("data", "split_file", T::text, "\"\"",
                                       "file under data.root listing a split's stems, one per line ({split}: its name); empty: every image"),
                            config_key("data", "class_names", T::text_list, "[]", "the classes, in label order (their count is the label range)"),
                            with_choices(config_key("data", "label_encoding", T::text, "grey_index",
                                                    "grey_index: grey PNGs holding the class (255 ignored); voc_palette: VOC's colours"),
                                         {"grey_index", "voc_palette"}),
                            config_key("data", "reduce_zero_label", T::boolean, "false",
                                       "label 0 is 'other' (ignored) and k becomes k - 1, as mmseg's reduce_zero_label"),
                        });
    register_dataset(p.name, p.doc, std::move(keys));
  }
}

}  // namespace gaze
