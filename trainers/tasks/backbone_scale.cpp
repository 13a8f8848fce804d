#include "trainers/tasks/backbone_scale.h"

#include <yaml-cpp/yaml.h>

#include "framework/error.h"

namespace gaze {

namespace {

// Whether `key` holds its schema default (an integer list or a text).
bool equals_default(const Config& config, const std::string& key) {
  const ConfigKey* spec = find_config_key(key);
  if (!spec) return false;
  const YAML::Node fallback = YAML::Load(spec->default_value);
  if (spec->type == OptionType::integer_list) return config.integers(key) == fallback.as<std::vector<int64_t>>();
  return config.text(key) == fallback.as<std::string>();
}

}  // namespace

std::vector<ConfigKey> backbone_scale_keys(std::vector<ConfigKey> own) {
  using T = OptionType;
  std::vector<ConfigKey> keys = std::move(own);
  for (ConfigKey& key : std::vector<ConfigKey>{
      with_range(config_key("model", "depth", T::integer, "0",
                            "ResNet depth 18, 34, 50, 101 or 152: sets widths [64, 128, 256, 512], blocks and block as torchvision "
                            "(strides [1, 2, 2, 2] unless given); 0: widths, blocks and block as given"),
                 0, 152),
      with_range(config_key("model", "blocks", T::integer_list, "[]", "residual blocks in each stage; []: one each"), 1, 64),
      with_choices(config_key("model", "block", T::text, "basic",
                              "residual block: basic (two 3x3 convs) or bottleneck (1x1, 3x3, 1x1 to 4 x width, torchvision v1.5)"),
                   {"basic", "bottleneck"}),
      with_choices(config_key("model", "stem", T::text, "small",
                              "small (the model's own, for small inputs), imagenet (7x7/2 conv + 3x3/2 max pool; video: t x 7 x 7), "
                              "deep (ResNetV1c's three 3x3 convs + max pool; images only)"),
                   {"small", "imagenet", "deep"}),
      config_key("model", "zero_init_residual", T::boolean, "false", "start each block's last BN scale at 0 (each block the identity)"),
  })
    keys.push_back(std::move(key));
  return keys;
}

std::vector<ConfigKey> video_backbone_scale_keys(std::vector<ConfigKey> own) {
  using T = OptionType;
  std::vector<ConfigKey> keys = backbone_scale_keys(std::move(own));
  keys.push_back(with_choices(config_key("model", "inflate", T::text_list, "[]",
                                         "3D blocks whose first conv is inflated in time, one rule per stage: all, none, even, odd "
                                         "(the Non-local paper's I3D-ResNet-50: [all, even, even, odd]); []: all (c2d: none)"),
                              {"all", "none", "even", "odd"}));
  keys.push_back(config_key("model", "temporal_pool", T::boolean, "false",
                            "a 3x1x1 max pool of stride 2 in time after the first stage (the Non-local paper's pool2)"));
  return keys;
}

BackboneScale backbone_scale(const Config& config) {
  BackboneScale scale;
  scale.stem = parse_choice<StemKind>(config.text("model.stem"));
  scale.zero_init_residual = config.boolean("model.zero_init_residual");
  scale.strides = config.integers("model.strides");
  const int64_t depth = config.integer("model.depth");
  if (depth == 0) {
    scale.widths = config.integers("model.widths");
    scale.blocks = config.integers("model.blocks");
    scale.block = parse_choice<BlockKind>(config.text("model.block"));
    return scale;
  }
  ResNetDepth table = resnet_depth(depth);
  // A run directory's config.yaml lists every key, so a key equal to its default or to what the
  // depth sets is taken as not given; any other value contradicts the depth.
  auto contradicts = [&](const char* key, bool equals_depth) {
    return config.where(key) != "default" && !equals_depth && !equals_default(config, key);
  };
  const bool widths_clash = contradicts("model.widths", config.integers("model.widths") == table.widths);
  const bool blocks_clash = contradicts("model.blocks", config.integers("model.blocks") == table.blocks);
  const bool block_clash = contradicts("model.block", config.text("model.block") == name_of(table.block));
  const std::pair<const char*, bool> clashes[] = {{"model.widths", widths_clash}, {"model.blocks", blocks_clash}, {"model.block", block_clash}};
  for (const auto& [key, clash] : clashes)
    if (clash)
      fail("{}: {} is set, and so is model.depth ({}: {}), which sets widths, blocks and block; drop one of them", config.where(key), key,
           config.where("model.depth"), depth);
  scale.widths = table.widths;
  scale.blocks = table.blocks;
  scale.block = table.block;
  if (config.where("model.strides") == "default" || equals_default(config, "model.strides")) scale.strides = {1, 2, 2, 2};
  return scale;
}

}  // namespace gaze
