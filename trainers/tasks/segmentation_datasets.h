// The segmentation datasets read from disk (data.dataset cityscapes, pascal_voc, ade20k,
// segmentation_folder), their config keys, and the evaluation settings (eval.mode whole | slide)
// that whole-image evaluation reads. docs/datasets.md describes each tree.
#pragma once
#include <memory>
#include <string>

#include "trainers/datasets/segmentation_files.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"

namespace gaze {

// Whether data.dataset is one of the datasets on disk.
bool is_segmentation_files_dataset(const std::string& dataset);
// Their names, for the task's registration.
std::vector<std::string> segmentation_files_dataset_names();

struct SegmentationFilesSplits {
  std::unique_ptr<SegmentationFiles> train, val;
};
// The training split (data.train_split) and the evaluation split (data.val_split) of the config's
// dataset, listed and checked; data.train_limit and data.test_limit keep only their first images.
SegmentationFilesSplits load_segmentation_files(const Config& config);

struct SegmentationEvalMode {
  bool slide = false;
  Size2 crop, stride;  // slide: the window and its step
};
SegmentationEvalMode segmentation_eval_mode(const Config& config, const SegmentationFilesOptions& options);

// Registers the four datasets with their keys.
void register_segmentation_files_datasets();

}  // namespace gaze
