#include "trainers/lib/config/schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <sstream>

#include "framework/backend_registry.h"
#include "framework/error.h"
#include "framework/suggest.h"
#include "layers/registry.h"

namespace gaze {

ConfigKey config_key(std::string section, std::string name, OptionType type, std::string default_value, std::string doc) {
  ConfigKey k;
  k.section = std::move(section);
  k.name = std::move(name);
  k.type = type;
  k.default_value = std::move(default_value);
  k.doc = std::move(doc);
  return k;
}
ConfigKey with_range(ConfigKey key, std::optional<double> min, std::optional<double> max) {
  key.min = min;
  key.max = max;
  return key;
}
ConfigKey with_choices(ConfigKey key, std::vector<std::string> allowed) {
  key.allowed = std::move(allowed);
  return key;
}

namespace {

ConfigKey key(std::string section, std::string name, OptionType type, std::string default_value, std::string doc) {
  return config_key(std::move(section), std::move(name), type, std::move(default_value), std::move(doc));
}
ConfigKey ranged(ConfigKey k, std::optional<double> min, std::optional<double> max) { return with_range(std::move(k), min, max); }
ConfigKey one_of(ConfigKey k, std::vector<std::string> allowed) { return with_choices(std::move(k), std::move(allowed)); }

// The common keys. data.dataset and model.backbone list no allowed values here: they are the
// registered components' names (see Tables::rebuild).
std::vector<ConfigKey> build_schema() {
  using T = OptionType;
  std::vector<std::string> backends{"auto"};
  for (const auto& b : available_backends()) backends.push_back(b);
  return {
      one_of(key("model", "backbone", T::text, "resnet",
                 "network body: resnet (classification), c2d | i3d | tsn (action), dilated_fcn (segmentation), reid3d (video re-ID)"),
             {}),
      ranged(key("model", "widths", T::integer_list, "[32, 64, 128]", "channels of each stage"), 1, 4096),
      ranged(key("model", "strides", T::integer_list, "[1, 2, 2]", "stride of each stage's first conv (one per width; dilated_fcn fixes its own: output stride 8)"), 1, 4),
      key("model", "attention", T::mapping, "{}",
          "layer spec of the attention module, e.g. {type: cbam, reduction: 16} (types below); {} for none"),
      one_of(key("model", "attention_placement", T::text, "residual",
                 "where the attention module goes: residual (in every block, before the addition: SE, CBAM papers) "
                 "after_block (after every block: the bench's CBAM-ResNet) or after_stage (between stages: BAM)"),
             {"residual", "after_block", "after_stage"}),
      ranged(key("model", "in_channels", T::integer, "1", "channels of the input images"), 1, 64),
      ranged(key("model", "num_classes", T::integer, "0", "outputs of the classifier; 0: the dataset's classes (re-ID: its training identities)"),
             0, 100000),

      one_of(key("data", "dataset", T::text, "fashion_mnist",
                 "dataset, and with it the task: fashion_mnist (classification), action_clips, action_relations, segmentation_scenes, "
                 "reid_tracklets (synthetic sets built from Fashion-MNIST items, docs/datasets.md)"),
             {}),
      key("data", "root", T::text, "/usr/share/datasets/fashion-mnist", "directory holding Fashion-MNIST's files (every dataset draws from it)"),
      ranged(key("data", "val_fraction", T::number, "0.1", "fraction of the training set held out for validation"), 0.0, 0.9),
      ranged(key("data", "batch_size", T::integer, "128", "images per training step, per rank in a data-parallel run (the global batch is this x ranks)"), 1, 65536),
      ranged(key("data", "prefetch", T::integer, "2", "batches prepared ahead by the loader's workers; 0: on the training thread"), 0, 64),
      ranged(key("data", "workers", T::integer, "2",
                 "loader threads building batches (decoding image files), each a whole batch; batches are the same for any number"),
             1, 64),
      ranged(key("data", "train_limit", T::integer, "0", "use only the first N training images after the split (smoke runs, tests); 0: all"), 0, {}),
      ranged(key("data", "test_limit", T::integer, "0", "use only the first N validation and test images; 0: all"), 0, {}),
      one_of(key("data", "transforms", T::text_list, "[normalize]", "training-time transforms, applied in order"),
             {"normalize", "random_crop", "hflip", "random_resized_crop", "resize", "center_crop", "color_jitter"}),
      ranged(key("data", "seed", T::integer, "0", "seed of the train/val split (shuffling and augmentation follow train.seed)"), 0, {}),

      one_of(key("optim", "name", T::text, "sgd", "optimizer"), {"sgd", "adam", "adamw"}),
      ranged(key("optim", "lr", T::number, "0.1", "peak learning rate"), 0.0, 10.0),
      ranged(key("optim", "momentum", T::number, "0.9", "SGD momentum"), 0.0, 0.999),
      key("optim", "nesterov", T::boolean, "true", "Nesterov momentum (SGD)"),
      ranged(key("optim", "weight_decay", T::number, "0.0005", "L2 penalty (SGD, Adam) or decoupled decay (AdamW)"), 0.0, 1.0),
      ranged(key("optim", "grad_clip", T::number, "0", "clip the global gradient norm to this; 0 for no clipping"), 0.0, {}),

      one_of(key("schedule", "name", T::text, "cosine", "learning-rate schedule after the warm-up"),
             {"constant", "step", "multistep", "cosine"}),
      ranged(key("schedule", "warmup_epochs", T::number, "0", "epochs of linear warm-up from 0 to optim.lr"), 0.0, {}),
      ranged(key("schedule", "step_size", T::integer, "30", "epochs between decays (step)"), 1, {}),
      ranged(key("schedule", "milestones", T::integer_list, "[]", "epochs at which the rate decays (multistep)"), 1, {}),
      ranged(key("schedule", "gamma", T::number, "0.1", "decay factor (step, multistep)"), 0.0, 1.0),
      ranged(key("schedule", "min_lr", T::number, "0", "final learning rate (cosine)"), 0.0, {}),

      ranged(key("train", "label_smoothing", T::number, "0", "cross entropy's label smoothing (0: none)"), 0.0, 0.99),
      ranged(key("train", "epochs", T::integer, "10", "passes over the training set"), 1, {}),
      ranged(key("train", "seed", T::integer, "0", "seed of the weights' initialization, the shuffling and the augmentation"), 0, {}),
      one_of(key("train", "backend", T::text, "auto", "CPU backend (see `gaze info`); auto: the fastest built"), backends),
      ranged(key("train", "threads", T::integer, "0", "threads for the CPU backends; 0: GAZE_NUM_THREADS or all cores"), 0, 1024),
      one_of(key("train", "device", T::text, "cpu", "device to train on: cpu, or cuda (GPU 0; needs a CUDA build and a GPU)"),
             {"cpu", "cuda"}),
      ranged(key("train", "eval_interval", T::integer, "1", "evaluate every this many epochs"), 1, {}),
      ranged(key("train", "log_interval", T::integer, "50", "print a log line every this many steps"), 1, {}),
      one_of(key("train", "distributed", T::text, "auto",
                 "data-parallel training (docs/distributed.md): auto: on when launched by mpirun with several ranks; off: one process"),
             {"auto", "off"}),
      key("train", "sync_bn", T::boolean, "false",
          "data-parallel: BatchNorm's training statistics over every rank's batch (SyncBatchNorm); false: each rank's own batch"),
      ranged(key("train", "bucket_mb", T::number, "25", "data-parallel: size of the gradient buckets averaged while backward runs (MiB)"),
             0.001, 4096.0),

      one_of(key("eval", "metrics", T::text_list, "[]",
                 "metrics and pictures of the validation and test sets; []: the task's defaults. classification: top1, top5, confusion; "
                 "action: top1, video_top1, confusion; segmentation: miou, pixel_accuracy, overlays; re-ID: rank1, rank5, rank10, map, "
                 "ranked_lists"),
             {"top1", "top5", "confusion", "video_top1", "miou", "pixel_accuracy", "overlays", "rank1", "rank5", "rank10", "map",
              "ranked_lists"}),

      ranged(key("checkpoint", "interval", T::integer, "1", "write a checkpoint every this many epochs"), 1, {}),
      ranged(key("checkpoint", "every_steps", T::integer, "0", "also write a checkpoint every this many steps; 0: only at epoch ends"), 0, {}),
      ranged(key("checkpoint", "keep", T::integer, "2", "most recent checkpoints kept (the best is always kept)"), 1, {}),

      key("log", "dir", T::text, "runs", "parent directory of the run directories"),
      key("log", "name", T::text, "\"\"", "run directory name under log.dir; empty: the config file's name"),
      key("log", "tensorboard", T::boolean, "false",
          "also write TensorBoard events (events.out.tfevents.*): the metrics as scalars, the pictures, the config"),
  };
}


// The registered components and the key tables derived from them, rebuilt at each registration
// (registration happens once, at program start).
struct Tables {
  std::vector<ConfigComponent> components;
  std::vector<ConfigKey> common = build_schema();
  std::vector<ConfigKey> all = common;

  void rebuild() {
    common = build_schema();
    all = common;
    for (const auto& c : components)
      for (const auto& k : c.keys)
        if (std::none_of(all.begin(), all.end(), [&](const ConfigKey& a) { return a.dotted() == k.dotted(); })) all.push_back(k);
    for (auto* keys : {&common, &all})
      for (auto& k : *keys)
        for (const auto& c : components)
          if (c.chosen_by == k.dotted())
            for (const auto& value : chosen_when(c))
              if (std::find(k.allowed.begin(), k.allowed.end(), value) == k.allowed.end()) k.allowed.push_back(value);
  }
};

Tables& tables() {
  static Tables t;
  return t;
}

bool same_spec(const ConfigKey& a, const ConfigKey& b) {
  return a.type == b.type && a.default_value == b.default_value && a.min == b.min && a.max == b.max && a.allowed == b.allowed;
}

// A registration that contradicts the schema is a programming error, caught at start-up.
void check_registration(const ConfigComponent& c) {
  const Tables& t = tables();
  if (c.kind.empty() || c.name.empty()) fail("register_config_component: a component needs a kind and a name");
  for (const auto& other : t.components)
    if (other.kind == c.kind && other.name == c.name) fail("register_config_component: {} '{}' is already registered", c.kind, c.name);
  if (!find_config_key(c.chosen_by))
    fail("register_config_component: {} '{}' is chosen by '{}', which no earlier registration declares", c.kind, c.name, c.chosen_by);
  for (const auto& k : c.keys) {
    for (const auto& common : t.common)
      if (common.dotted() == k.dotted())
        fail("register_config_component: {} '{}' declares '{}', a key every run reads", c.kind, c.name, k.dotted());
    for (const auto& other : t.components)
      for (const auto& shared : other.keys)
        if (shared.dotted() == k.dotted() && !same_spec(shared, k))
          fail("register_config_component: {} '{}' declares '{}' unlike {} '{}' (type, default, range or choices differ)", c.kind, c.name,
               k.dotted(), other.kind, other.name);
  }
}

void explain_key(std::string& out, const ConfigKey& k, const std::string& shown, int width) {
  out += fmt::format("  {:<{}} {:<19} default {}\n", shown, width, option_type_name(k.type), k.default_value);
  out += fmt::format("      {}\n", k.doc);
  const std::string constraint = option_constraint_text(k);
  if (!constraint.empty()) out += fmt::format("      {}\n", constraint);
}

// One component: its header, then its keys in `section` (all when empty).
std::string explain_component(const ConfigComponent& c, const std::string& section) {
  std::string out = fmt::format("{} {}", c.kind, c.name);
  const auto values = chosen_when(c);
  if (values != std::vector<std::string>{c.name}) out += fmt::format(" ({}: {})", c.chosen_by, fmt::join(values, ", "));
  out += fmt::format(": {}\n", c.doc);
  if (!c.backbones.empty()) out += fmt::format("  trains model.backbone {}\n", fmt::join(c.backbones, ", "));
  bool any = false;
  for (const auto& k : c.keys)
    if (section.empty() || k.section == section) explain_key(out, k, k.dotted(), 24), any = true;
  if (!any && section.empty()) out += "  no keys of its own\n";
  return any || section.empty() ? out : "";
}

}  // namespace

void register_config_component(ConfigComponent component) {
  check_registration(component);
  tables().components.push_back(std::move(component));
  tables().rebuild();
}

const std::vector<ConfigComponent>& config_components() { return tables().components; }

std::vector<std::string> chosen_when(const ConfigComponent& component) {
  return component.chosen_when.empty() ? std::vector<std::string>{component.name} : component.chosen_when;
}

const std::vector<ConfigKey>& config_schema() { return tables().common; }

const std::vector<ConfigKey>& all_config_keys() { return tables().all; }

std::vector<std::string> config_sections() {
  std::vector<std::string> sections;
  for (const auto& k : config_schema())
    if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) sections.push_back(k.section);
  return sections;
}

const ConfigKey* find_config_key(const std::string& dotted) {
  for (const auto& k : all_config_keys())
    if (k.dotted() == dotted) return &k;
  return nullptr;
}

std::string explain_config(const std::string& target) {
  const auto sections = config_sections();
  std::vector<std::string> component_names;
  for (const auto& c : config_components()) component_names.push_back(c.name);
  const bool is_section = std::find(sections.begin(), sections.end(), target) != sections.end();
  const bool is_component = std::find(component_names.begin(), component_names.end(), target) != component_names.end();
  if (!target.empty() && !is_section && !is_component)
    fail("unknown config section '{}'{}; sections: {}; components: {}", target, did_you_mean(target, sections), fmt::join(sections, ", "),
         fmt::join(component_names, ", "));
  std::string out;
  if (is_component) {
    for (const auto& c : config_components())
      if (c.name == target) out += fmt::format("{}{}", out.empty() ? "" : "\n", explain_component(c, ""));
    return out;
  }
  for (const auto& name : sections) {
    if (!target.empty() && name != target) continue;
    out += fmt::format("{}{}:\n", out.empty() ? "" : "\n", name);
    for (const auto& k : config_schema())
      if (k.section == name) explain_key(out, k, k.name, 20);
    // model.attention is a layer spec: the layer types and their options, from their declarations.
    if (name == "model") {
      out += "  model.attention layer types (the model fills in channels):\n";
      std::istringstream layers(describe_layers());
      for (std::string line; std::getline(layers, line);) out += "    " + line + "\n";
    }
  }
  bool first = true;
  for (const auto& c : config_components()) {
    const std::string text = explain_component(c, target);
    if (text.empty()) continue;
    if (first) out += "\nThe keys below are a config's when its data.dataset, model.backbone or model.head chooses their component.\n";
    first = false;
    out += fmt::format("\n{}", text);
  }
  return out;
}

}  // namespace gaze
