#include "trainers/tasks/task_support.h"

#include <fmt/format.h>

#include "autograd/grad_mode.h"
#include "framework/device.h"
#include "framework/error.h"
#include "layers/yaml_values.h"

namespace gaze {

void for_each_batch(const ExampleSource& source, const Config& config, const std::function<void(const Batch& batch, int64_t first)>& fn) {
  NoGradGuard no_grad;
  LoaderOptions options{.batch_size = config.integer("data.batch_size"), .shuffle = false, .drop_last = false, .augment = false,
                        .transforms = {}, .seed = 0, .prefetch = config.integer("data.prefetch"), .workers = config.integer("data.workers"), .order = {}};
  DataLoader loader(source, options);
  loader.start_epoch(0);
  const Device device = parse_device(config.text("train.device"));
  Batch batch;
  int64_t first = 0;
  while (loader.next(batch)) {
    if (device != Device::cpu()) batch.images = batch.images.to(device), batch.labels = batch.labels.to(device);
    fn(batch, first);
    first += batch.labels.size(0);
  }
}

int64_t size_or(const Config& config, const std::string& key, int64_t fallback) {
  const int64_t value = config.integer(key);
  return value > 0 ? value : fallback;
}

ItemSets load_items(const Config& config) {
  const std::string root = config.text("data.root");
  return ItemSets{load_fashion_mnist(root, "train"), load_fashion_mnist(root, "test")};
}

ConfigKey nonlocal_blocks_key() {
  return with_range(config_key("model", "attention_blocks", OptionType::integer, "1",
                               "with a nonlocal model.attention: how many blocks (1: after the second-to-last stage; more: spread "
                               "over the later stages, as the Non-local paper's 5-block variant)"),
                    1, 16);
}

ConfigKey set_size_key(const std::string& name, const std::string& doc) {
  return with_range(config_key("data", name, OptionType::integer, "0", doc), 0, {});
}

ConfigKey image_size_key(int64_t fallback) {
  return with_range(config_key("data", "image_size", OptionType::integer, "0", fmt::format("frame or canvas side in pixels; 0: {}", fallback)),
                    0, 1024);
}

ConfigKey frames_key(const std::string& doc) { return with_range(config_key("data", "frames", OptionType::integer, "8", doc), 1, 256); }

void check_in_channels(const Config& config, int64_t channels) {
  if (config.integer("model.in_channels") != channels)
    fail("{}: model.in_channels is {} but {} examples have {} channel(s)", config.where("model.in_channels"),
         config.integer("model.in_channels"), config.text("data.dataset"), channels);
}

NonLocalChoice nonlocal_choice(const Config& config) {
  const YAML::Node& spec = config.node("model.attention");
  NonLocalChoice choice;
  if (!spec.IsMap() || spec.size() == 0) return choice;
  // The spec passed the layer registry's checks when the config loaded; yaml_text still never throws.
  const std::string type = yaml_text(spec["type"]).value_or("");
  if (type != "nonlocal")
    fail("{}: model.backbone {} takes Non-local blocks ({{type: nonlocal, mode: embedded_gaussian}}) or {{}}, not '{}'",
         config.where("model.attention"), config.text("model.backbone"), type);
  for (const auto& entry : spec) {
    const std::string key = yaml_text(entry.first).value_or("?");
    if (key != "type" && key != "mode" && key != "sub_sample")
      fail("{}: model.attention key '{}' does not apply to the {} network's Non-local blocks (it takes mode and sub_sample)",
           config.where("model.attention"), key, config.text("model.backbone"));
  }
  choice.mode = yaml_text(spec["mode"]).value_or("embedded_gaussian");
  choice.sub_sample = yaml_boolean(spec["sub_sample"]).value_or(choice.sub_sample);
  return choice;
}

}  // namespace gaze
