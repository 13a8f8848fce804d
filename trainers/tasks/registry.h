// The datasets, tasks, backbones and heads a config picks by name, registered as the layers are
// (layers/registry.h): each registration names the component and declares the config keys it reads
// (trainers/lib/config/schema.h), next to the code that reads them; a task also gives the function
// that makes it. make_task looks the task up by the config's dataset. Adding a dataset or a task is
// one registration beside its code, plus a line in register_builtin_components().
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "trainers/lib/config/schema.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/tasks/task.h"

namespace gaze {

using TaskFactory = std::function<std::unique_ptr<Task>(const Config& config)>;

// A synthetic dataset's examples with its generator's own defaults and `seed`, made from
// Fashion-MNIST's training images `items` (which must outlive them): what `gaze samples --dataset
// NAME` draws.
using DefaultExamples = std::function<std::unique_ptr<ExampleSource>(const ImageSet& items, uint64_t seed)>;

// A dataset, chosen by data.dataset; a synthetic one also gives its default examples.
void register_dataset(std::string name, std::string doc, std::vector<ConfigKey> keys = {}, DefaultExamples examples = {});
// The datasets registered with default examples, in registration order.
std::vector<std::string> datasets_with_default_examples();
// Those of `dataset`; an error listing the datasets that have them when it has none.
const DefaultExamples& default_examples(const std::string& dataset);
// A task, chosen by the dataset it trains (data.dataset one of `datasets`); model.backbone must
// be one of `backbones`.
void register_task(std::string name, std::string doc, std::vector<std::string> datasets, std::vector<std::string> backbones,
                   std::vector<ConfigKey> keys, TaskFactory make);
// A network body, chosen by model.backbone.
void register_backbone(std::string name, std::string doc, std::vector<ConfigKey> keys = {});
// A segmentation head, chosen by model.head.
void register_head(std::string name, std::string doc);

// The task registered as `name`.
const TaskFactory& task_factory(const std::string& name);

// Registers every built-in component, once (later calls do nothing). gaze's main and the test
// runner call it before anything loads a config.
void register_builtin_components();

// Each task's file registers its dataset, its task and its backbones (and heads).
void register_classification_components();
void register_action_components();
void register_segmentation_components();
void register_reid_components();

}  // namespace gaze
