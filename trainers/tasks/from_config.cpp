#include "trainers/tasks/from_config.h"

#include "layers/models/resnet.h"
#include "framework/error.h"
#include "layers/registry.h"
#include "trainers/lib/optim/adam.h"
#include "trainers/lib/optim/sgd.h"

namespace gaze {

int64_t num_classes(const Config& config, int64_t dataset_classes) {
  const int64_t classes = config.integer("model.num_classes");
  if (classes == 0) return dataset_classes;
  if (classes < dataset_classes)
    fail("{}: model.num_classes is {} but {} has {} classes (0 takes the dataset's)", config.where("model.num_classes"), classes,
         config.text("data.dataset"), dataset_classes);
  return classes;
}

std::function<std::shared_ptr<Module>(int64_t channels)> attention_builder(const Config& config) {
  const YAML::Node spec = config.node("model.attention");
  if (!spec.IsMap() || spec.size() == 0) return {};
  const std::string where = config.where("model.attention");
  return [spec, where](int64_t channels) { return build_layer(spec, {{"channels", std::to_string(channels)}}, where); };
}

std::shared_ptr<Module> build_resnet(const Config& config, int64_t dataset_classes) {
  ResNetOptions options;
  options.in_channels = config.integer("model.in_channels");
  options.num_classes = num_classes(config, dataset_classes);
  options.widths = config.integers("model.widths");
  options.strides = config.integers("model.strides");
  options.placement = parse_attention_placement(config.text("model.attention_placement"));
  options.attention = attention_builder(config);
  auto model = std::make_shared<ResNet>(options);
  model->to(parse_device(config.text("train.device")));
  return model;
}

std::unique_ptr<Optimizer> build_optimizer(const Config& config, const std::vector<Tensor>& parameters) {
  const std::string name = config.text("optim.name");
  const double lr = config.number("optim.lr");
  const double weight_decay = config.number("optim.weight_decay");
  if (name == "sgd") {
    const double momentum = config.number("optim.momentum");
    return std::make_unique<SGD>(parameters, SGDOptions{.lr = lr, .momentum = momentum, .nesterov = config.boolean("optim.nesterov"),
                                                        .weight_decay = weight_decay});
  }
  return std::make_unique<Adam>(parameters, AdamOptions{.lr = lr, .weight_decay = weight_decay, .decoupled = name == "adamw"});
}

Schedule build_schedule(const Config& config) {
  ScheduleOptions options;
  options.name = config.text("schedule.name");
  options.warmup_epochs = config.number("schedule.warmup_epochs");
  options.step_size = config.integer("schedule.step_size");
  options.milestones = config.integers("schedule.milestones");
  options.gamma = config.number("schedule.gamma");
  options.min_lr = config.number("schedule.min_lr");
  options.total_epochs = config.integer("train.epochs");
  return Schedule(config.number("optim.lr"), options);
}

TransformOptions build_transforms(const Config& config) {
  TransformOptions options;
  options.names = config.texts("data.transforms");
  return options;
}

}  // namespace gaze
