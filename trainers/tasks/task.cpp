#include "trainers/tasks/task.h"

#include "framework/error.h"
#include "trainers/tasks/action_task.h"
#include "trainers/tasks/classification_task.h"
#include "trainers/tasks/reid_task.h"
#include "trainers/tasks/segmentation_task.h"

namespace gaze {

const char* split_name(Split split) { return split == Split::test ? "test" : "val"; }

std::unique_ptr<Task> make_task(const Config& config) {
  const std::string dataset = config.text("data.dataset");
  if (dataset == "fashion_mnist") return std::make_unique<ClassificationTask>(config);
  if (dataset == "action_clips") return std::make_unique<ActionTask>(config);
  if (dataset == "segmentation_scenes") return std::make_unique<SegmentationTask>(config);
  if (dataset == "reid_tracklets") return std::make_unique<ReidTask>(config);
  fail("{}: data.dataset '{}' has no task built in", config.where("data.dataset"), dataset);
}

}  // namespace gaze
