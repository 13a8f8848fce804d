#include "trainers/tasks/from_config.h"

#include "layers/models/resnet.h"
#include "framework/error.h"
#include "layers/registry.h"
#include "trainers/tasks/backbone_scale.h"

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
  const BackboneScale scale = backbone_scale(config);
  options.widths = scale.widths;
  options.strides = scale.strides;
  options.blocks = scale.blocks;
  options.block = scale.block;
  options.stem = scale.stem;
  options.zero_init_residual = scale.zero_init_residual;
  options.placement = parse_attention_placement(config.text("model.attention_placement"));
  options.attention = attention_builder(config);
  auto model = std::make_shared<ResNet>(options);
  model->to(parse_device(config.text("train.device")));
  return model;
}

TransformOptions build_transforms(const Config& config) {
  TransformOptions options;
  options.names = config.texts("data.transforms");
  return options;
}

}  // namespace gaze
