#include "trainers/lib/config/schema.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/backend_registry.h"
#include "framework/error.h"
#include "framework/suggest.h"

namespace gaze {

namespace {

ConfigKey key(std::string section, std::string name, OptionType type, std::string default_value, std::string doc) {
  ConfigKey k;
  k.section = std::move(section);
  k.name = std::move(name);
  k.type = type;
  k.default_value = std::move(default_value);
  k.doc = std::move(doc);
  return k;
}
ConfigKey ranged(ConfigKey k, std::optional<double> min, std::optional<double> max) {
  k.min = min;
  k.max = max;
  return k;
}
ConfigKey one_of(ConfigKey k, std::vector<std::string> allowed) {
  k.allowed = std::move(allowed);
  return k;
}

std::vector<ConfigKey> build_schema() {
  using T = OptionType;
  std::vector<std::string> backends{"auto"};
  for (const auto& b : available_backends()) backends.push_back(b);
  return {
      one_of(key("model", "backbone", T::text, "resnet",
                 "network body: resnet (classification), c2d | i3d | tsn (action), dilated_fcn (segmentation), reid3d (video re-ID)"),
             {"resnet", "c2d", "i3d", "tsn", "dilated_fcn", "reid3d"}),
      ranged(key("model", "widths", T::integer_list, "[32, 64, 128]", "channels of each stage"), 1, 4096),
      ranged(key("model", "strides", T::integer_list, "[1, 2, 2]", "stride of each stage's first conv (one per width; dilated_fcn fixes its own: output stride 8)"), 1, 4),
      key("model", "attention", T::mapping, "{}",
          "layer spec of the attention module, e.g. {type: cbam, reduction: 16} (see `gaze info`); {} for none"),
      one_of(key("model", "attention_placement", T::text, "residual",
                 "where the attention module goes: residual (in every block, before the addition: SE, CBAM papers) "
                 "or after_block (after every block: BAM, the bench's CBAM-ResNet)"),
             {"residual", "after_block"}),
      ranged(key("model", "in_channels", T::integer, "1", "channels of the input images"), 1, 64),
      ranged(key("model", "num_classes", T::integer, "0", "outputs of the classifier; 0: the dataset's classes (re-ID: its training identities)"),
             0, 100000),
      ranged(key("model", "attention_blocks", T::integer, "1",
                 "c2d, i3d, reid3d with a nonlocal model.attention: how many blocks (1: after the second-to-last stage; more: spread "
                 "over the later stages, as the Non-local paper's 5-block variant)"),
             1, 16),
      one_of(key("model", "head", T::text, "fcn",
                 "dilated_fcn's head: fcn (the baseline), danet (PAM and CAM), danet_pam, danet_cam (DANet's Table 1 rows)"),
             {"fcn", "danet", "danet_pam", "danet_cam"}),
      ranged(key("model", "segments", T::integer, "4", "tsn: snippets per clip (one frame each), fused by the pyramid attention"), 1, 64),

      one_of(key("data", "dataset", T::text, "fashion_mnist",
                 "dataset, and with it the task: fashion_mnist (classification), action_clips, segmentation_scenes, reid_tracklets "
                 "(synthetic sets built from Fashion-MNIST items, docs/datasets.md)"),
             {"fashion_mnist", "action_clips", "segmentation_scenes", "reid_tracklets"}),
      key("data", "root", T::text, "/usr/share/datasets/fashion-mnist", "directory holding Fashion-MNIST's files (every dataset draws from it)"),
      ranged(key("data", "train_size", T::integer, "0", "synthetic sets: videos, scenes or identities for training; 0: the task's default"), 0, {}),
      ranged(key("data", "val_size", T::integer, "0", "synthetic sets: videos or scenes held out for validation; 0: the task's default"), 0, {}),
      ranged(key("data", "test_size", T::integer, "0", "synthetic sets: videos, scenes or identities for testing; 0: the task's default"), 0, {}),
      ranged(key("data", "frames", T::integer, "8", "action_clips, reid_tracklets: frames per clip or tracklet"), 1, 256),
      ranged(key("data", "image_size", T::integer, "0", "synthetic sets: frame or canvas side in pixels; 0: the dataset's default"), 0, 1024),
      ranged(key("data", "clips_per_video", T::integer, "2", "action_clips: clips cut from each video (video accuracy averages them)"), 1, 64),
      ranged(key("data", "cameras", T::integer, "3", "reid_tracklets: cameras that see each identity"), 2, 16),
      ranged(key("data", "classes_per_scene", T::integer, "0",
                 "segmentation_scenes: classes a scene's items are drawn from (1: one class per scene); 0: each item's own"),
             0, 10),
      ranged(key("data", "items_per_scene", T::integer_list, "[2, 4]", "segmentation_scenes: fewest and most items in a scene"), 1, 16),
      ranged(key("data", "item_size", T::integer_list, "[35, 70]", "segmentation_scenes: smallest and largest item side, percent of the canvas"),
             1, 100),
      ranged(key("data", "occlusion", T::number, "0.2", "reid_tracklets: chance that a tracklet has occluded, noisy or missing frames"), 0.0, 1.0),
      ranged(key("data", "motion", T::number, "0.5", "reid_tracklets: the item's per-frame drift in pixels (std of a random walk)"), 0.0, 64.0),
      ranged(key("data", "instances", T::integer, "4",
                 "reid_tracklets: tracklets per identity in a training batch (the PK sampler's K; P = batch_size / K)"),
             1, 64),
      ranged(key("data", "val_fraction", T::number, "0.1", "fraction of the training set held out for validation"), 0.0, 0.9),
      ranged(key("data", "batch_size", T::integer, "128", "images per training step"), 1, 65536),
      ranged(key("data", "prefetch", T::integer, "2", "batches prepared ahead on a background thread; 0: on the training thread"), 0, 64),
      ranged(key("data", "train_limit", T::integer, "0", "use only the first N training images after the split (smoke runs, tests); 0: all"), 0, {}),
      ranged(key("data", "test_limit", T::integer, "0", "use only the first N validation and test images; 0: all"), 0, {}),
      one_of(key("data", "transforms", T::text_list, "[normalize]", "training-time transforms, applied in order"),
             {"normalize", "random_crop", "hflip"}),
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
      ranged(key("train", "aux_weight", T::number, "0.4", "segmentation: weight of each auxiliary head's loss (mmseg's 0.4)"), 0.0, 10.0),
      ranged(key("train", "triplet_weight", T::number, "1", "re-ID: weight of the batch-hard triplet loss beside cross entropy"), 0.0, 100.0),
      ranged(key("train", "triplet_margin", T::number, "0.3", "re-ID: the triplet loss's margin"), 0.0, 100.0),
      ranged(key("train", "interaction_weight", T::number, "0.1", "tsn: weight of the pyramid attention's interaction-aware loss"), 0.0, 100.0),
      ranged(key("train", "diversity_weight", T::number, "0.1", "tsn: weight of the pyramid attention's diversity loss"), 0.0, 100.0),
      ranged(key("train", "epochs", T::integer, "10", "passes over the training set"), 1, {}),
      ranged(key("train", "seed", T::integer, "0", "seed of the weights' initialization, the shuffling and the augmentation"), 0, {}),
      one_of(key("train", "backend", T::text, "auto", "CPU backend (see `gaze info`); auto: the fastest built"), backends),
      ranged(key("train", "threads", T::integer, "0", "threads for the CPU backends; 0: GAZE_NUM_THREADS or all cores"), 0, 1024),
      one_of(key("train", "device", T::text, "cpu", "device to train on: cpu, or cuda (GPU 0; needs a CUDA build and a GPU)"),
             {"cpu", "cuda"}),
      ranged(key("train", "eval_interval", T::integer, "1", "evaluate every this many epochs"), 1, {}),
      ranged(key("train", "log_interval", T::integer, "50", "print a log line every this many steps"), 1, {}),

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
  };
}

}  // namespace

const std::vector<ConfigKey>& config_schema() {
  static const std::vector<ConfigKey> schema = build_schema();
  return schema;
}

std::vector<std::string> config_sections() {
  std::vector<std::string> sections;
  for (const auto& k : config_schema())
    if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) sections.push_back(k.section);
  return sections;
}

const ConfigKey* find_config_key(const std::string& dotted) {
  for (const auto& k : config_schema())
    if (k.dotted() == dotted) return &k;
  return nullptr;
}

std::string explain_config(const std::string& section) {
  const auto sections = config_sections();
  if (!section.empty() && std::find(sections.begin(), sections.end(), section) == sections.end())
    fail("unknown config section '{}'{}; sections: {}", section, did_you_mean(section, sections), fmt::join(sections, ", "));
  std::string out;
  std::string current;
  for (const auto& k : config_schema()) {
    if (!section.empty() && k.section != section) continue;
    if (k.section != current) {
      current = k.section;
      out += fmt::format("{}{}:\n", out.empty() ? "" : "\n", current);
    }
    out += fmt::format("  {:<20} {:<19} default {}\n", k.name, option_type_name(k.type), k.default_value);
    out += fmt::format("      {}\n", k.doc);
    const std::string constraint = option_constraint_text(k);
    if (!constraint.empty()) out += fmt::format("      {}\n", constraint);
  }
  return out;
}

}  // namespace gaze
