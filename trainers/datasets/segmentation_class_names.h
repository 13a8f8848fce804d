// The class names of the segmentation benchmarks, in label (train id) order, as mmseg lists them.
#pragma once
#include <string>
#include <vector>

namespace gaze {

const std::vector<std::string>& cityscapes_class_names();  // 19 train ids
const std::vector<std::string>& voc_class_names();         // 21, background first
const std::vector<std::string>& ade20k_class_names();      // 150, after reduce_zero_label

}  // namespace gaze
