#include "trainers/tasks/action_task.h"

#include "trainers/tasks/backbone_scale.h"

#include <fmt/format.h>

#include <filesystem>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/models/video_nets.h"
#include "trainers/plot/plot.h"
#include "trainers/tasks/action_video_data.h"
#include "trainers/tasks/eval_metrics.h"
#include "trainers/tasks/from_config.h"
#include "trainers/tasks/registry.h"
#include "trainers/lib/metrics/classification_metrics.h"
#include "trainers/tasks/sharded_evaluation.h"

namespace gaze {

namespace {

// Default sizes: ~1 minute of C2D training per epoch budget on 2 cores (docs/results.md).
constexpr int64_t kTrainVideos = 1200, kValVideos = 200, kTestVideos = 400;

ActionClipsOptions clip_options(const Config& config, int64_t videos, uint64_t seed) {
  ActionClipsOptions o;
  o.videos = videos;
  o.clips_per_video = config.integer("data.clips_per_video");
  o.frames = config.integer("data.frames");
  o.size = size_or(config, "data.image_size", 32);
  o.seed = seed;
  return o;
}

// action_relations: one 16-frame clip per video; 20 000 videos are ~1 minute of C2D training per
// epoch on 2 cores (measured: 12 s for 4 000 videos, the machine shared; docs/datasets.md).
constexpr int64_t kRelationTrainVideos = 20000, kRelationValVideos = 400, kRelationTestVideos = 800;

ActionRelationsOptions relation_options(const Config& config, int64_t videos, uint64_t seed) {
  ActionRelationsOptions o;
  o.videos = videos;
  o.frames = config.integer("data.frames");
  o.size = size_or(config, "data.image_size", 32);
  o.seed = seed;
  return o;
}

bool is_synthetic(const Config& config) {
  const std::string dataset = config.text("data.dataset");
  return dataset == "action_clips" || dataset == "action_relations";
}

}  // namespace

ActionTask::ActionTask(const Config& config)
    : config_(config),
      metrics_(task_eval_metrics(config, "action", {"top1", "video_top1"}, {"top1", "top5", "video_top1", "confusion"})),
      items_(is_synthetic(config) ? load_items(config) : ItemSets{}) {
  const std::string dataset = config.text("data.dataset");
  // Three different seeds: the splits' videos never coincide; the test videos move test items.
  const auto seed = static_cast<uint64_t>(config.integer("data.seed")) * 3;
  if (dataset == "action_clips") {
    train_ = std::make_unique<ActionClips>(items_.train, clip_options(config, size_or(config, "data.train_size", kTrainVideos), seed));
    val_ = std::make_unique<ActionClips>(items_.train, clip_options(config, size_or(config, "data.val_size", kValVideos), seed + 1));
    test_ = std::make_unique<ActionClips>(items_.test, clip_options(config, size_or(config, "data.test_size", kTestVideos), seed + 2));
  } else if (dataset == "action_relations") {
    const auto options = [&](const char* key, int64_t fallback, uint64_t split_seed) {
      return relation_options(config, size_or(config, key, fallback), split_seed);
    };
    train_ = std::make_unique<ActionRelations>(items_.train, options("data.train_size", kRelationTrainVideos, seed));
    val_ = std::make_unique<ActionRelations>(items_.train, options("data.val_size", kRelationValVideos, seed + 1));
    test_ = std::make_unique<ActionRelations>(items_.test, options("data.test_size", kRelationTestVideos, seed + 2));
    classes_ = kRelationClasses;
  } else {
    ActionVideoSets sets = make_action_video_sets(config);
    train_ = std::move(sets.train), val_ = std::move(sets.val), test_ = std::move(sets.test);
    classes_ = sets.classes;
  }
  check_in_channels(config, train_->input_shape()[0]);
  num_classes(config, classes_);
}

std::string ActionTask::model_summary() const {
  const std::string backbone = config_.text("model.backbone");
  if (backbone == "tsn") return "tsn + pyramid attention";
  const NonLocalChoice nl = nonlocal_choice(config_);
  if (nl.mode.empty()) return backbone;
  return fmt::format("{} + nonlocal {} x{}", backbone, nl.mode, config_.integer("model.attention_blocks"));
}

std::shared_ptr<Module> ActionTask::build_model() const {
  VideoNetOptions o;
  o.kind = parse_choice<VideoNetKind>(config_.text("model.backbone"));
  o.in_channels = config_.integer("model.in_channels");
  o.num_classes = num_classes(config_, classes_);
  const BackboneScale scale = backbone_scale(config_);
  o.widths = scale.widths;
  o.strides = scale.strides;
  o.blocks = scale.blocks;
  o.block = scale.block;
  o.stem = scale.stem;
  o.zero_init_residual = scale.zero_init_residual;
  if (o.kind != VideoNetKind::tsn) {
    o.inflate = config_.texts("model.inflate");
    o.temporal_pool = config_.boolean("model.temporal_pool");
  }
  const NonLocalChoice nl = nonlocal_choice(config_);
  if (o.kind == VideoNetKind::tsn && !nl.mode.empty())
    fail("{}: tsn carries the pyramid attention itself; give it model.attention: {{}}", config_.where("model.attention"));
  o.nonlocal_mode = nl.mode;
  o.nonlocal_sub_sample = nl.sub_sample;
  if (o.kind == VideoNetKind::tsn)
    o.segments = config_.integer("model.segments");
  else
    o.nonlocal_blocks = config_.integer("model.attention_blocks");
  auto model = std::make_shared<VideoNet>(o);
  model->to(parse_device(config_.text("train.device")));
  return model;
}

StepOutput ActionTask::train_step(Module& model, const Batch& batch) const {
  CrossEntropyOptions options;
  options.label_smoothing = config_.number("train.label_smoothing");
  const TensorDict outputs = model.forward_all({batch.images});
  const Tensor& logits = outputs.at("out");
  Tensor ce = cross_entropy(logits, batch.labels, options);
  StepOutput out;
  out.loss = ce;
  if (outputs.contains("interaction_loss")) {  // tsn: the pyramid attention's own losses
    const Tensor& interaction = outputs.at("interaction_loss");
    const Tensor& diversity = outputs.at("diversity_loss");
    out.loss = ce + interaction * config_.number("train.interaction_weight") + diversity * config_.number("train.diversity_weight");
    out.terms = {{"ce", ce.item()}, {"interaction", interaction.item()}, {"diversity", diversity.item()}};
  }
  NoGradGuard no_grad;
  out.correct = static_cast<int64_t>(sum(eq(argmax(logits.detach(), 1), batch.labels)).item());
  out.counted = batch.labels.numel();
  return out;
}

Evaluation ActionTask::evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const {
  if (split == Split::val && !val_) fail("action: no validation set (data.val_list is empty)");
  const ExampleSource& set = split == Split::test ? *test_ : *val_;
  model.eval();
  ClassificationMetrics clips(num_classes(config_, classes_));
  VideoAccuracy videos;
  // Each batch's record: its summed loss, its clips' labels, their logits. The videos the clips
  // come from are the set's to say, on every rank.
  const std::vector<BatchRecord> records = evaluate_sharded(set, config_, ranks, [&](const Batch& batch, int64_t) {
    Tensor logits = model.forward(batch.images);
    CrossEntropyOptions summed;
    summed.reduction = Reduction::sum;
    BatchRecord record{cross_entropy(logits, batch.labels, summed).item()};
    append_values(record, batch.labels);
    append_values(record, logits);
    return record;
  });
  int64_t first = 0;
  for (const BatchRecord& record : records) {
    const auto n = static_cast<int64_t>(record.size() - 1) / (1 + clips.classes());
    size_t position = 1;
    const std::vector<double> label_values = take_values(record, position, n);
    const std::vector<int64_t> labels(label_values.begin(), label_values.end());
    const Tensor logits = from_vector(take_values(record, position, n * clips.classes()), {n, clips.classes()}, DType::f32);
    clips.add(logits, from_vector(labels, {n}), record[0]);
    std::vector<int64_t> ids;
    for (int64_t k = 0; k < n; ++k) ids.push_back(set.group(first + k));
    videos.add(logits, ids, labels);
    first += n;
  }
  Evaluation e;
  e.metrics = {{"loss", clips.mean_loss()}};
  if (listed(metrics_, "top1")) e.metrics["top1"] = clips.top1();
  if (listed(metrics_, "top5")) e.metrics["top5"] = clips.topk(5);
  if (listed(metrics_, "video_top1")) e.metrics["video_top1"] = videos.accuracy();
  e.score = clips.top1();
  e.summary = fmt::format("loss {:.4f} clip top-1 {:.2f}% video top-1 {:.2f}% ({} videos)", clips.mean_loss(), 100 * clips.top1(),
                          100 * videos.accuracy(), videos.videos());
  if (!pictures_dir.empty() && listed(metrics_, "confusion"))
    write_confusion_png((std::filesystem::path(pictures_dir) / "confusion.png").string(), clips.confusion(), set.class_names(),
                        fmt::format("{} clips", split_name(split)));
  return e;
}

void register_action_components() {
  register_dataset("action_clips", "synthetic videos of a Fashion-MNIST item moving in one of 8 ways (docs/datasets.md)",
                   {set_size_key("train_size", fmt::format("videos for training; 0: {}", kTrainVideos)),
                    set_size_key("val_size", fmt::format("videos held out for validation; 0: {}", kValVideos)),
                    set_size_key("test_size", fmt::format("videos for testing; 0: {}", kTestVideos)),
                    frames_key("frames per clip"), image_size_key(32),
                    with_range(config_key("data", "clips_per_video", OptionType::integer, "2",
                                          "clips cut from each video (video accuracy averages them)"),
                               1, 64)},
                   [](const ImageSet& items, uint64_t seed) {
                     ActionClipsOptions options;
                     options.seed = seed;
                     return std::make_unique<ActionClips>(items, options);
                   });
  register_dataset("action_relations",
                   "synthetic videos of three Fashion-MNIST items passing one after another, classified by which passes show the same "
                   "item and in which order (4 classes; docs/datasets.md)",
                   {set_size_key("train_size", fmt::format("videos for training; 0: {}", kRelationTrainVideos)),
                    set_size_key("val_size", fmt::format("videos held out for validation; 0: {}", kRelationValVideos)),
                    set_size_key("test_size", fmt::format("videos for testing; 0: {}", kRelationTestVideos)),
                    frames_key("frames per clip"), image_size_key(32)},
                   [](const ImageSet& items, uint64_t seed) {
                     ActionRelationsOptions options;
                     options.seed = seed;
                     return std::make_unique<ActionRelations>(items, options);
                   });
  register_dataset("rawframes",
                   "videos as folders of JPEG frames (mmaction2's rawframes) listed by '<frame_dir> <total_frames> <label>' lines "
                   "(docs/datasets.md)",
                   rawframes_keys());
  register_dataset("videos", "video files decoded with FFmpeg, listed by '<path> <label>' lines (Kinetics, UCF101; docs/datasets.md)",
                   video_file_keys());
  register_task("action", "action recognition: cross entropy over clips; clip and video top-1 accuracy", {"action_clips", "action_relations", "rawframes", "videos"},
                {"c2d", "i3d", "tsn"}, {}, [](const Config& config) { return std::make_unique<ActionTask>(config); });
  register_backbone("c2d", "2D convolutions on each frame (the Non-local paper's C2D); Non-local blocks via model.attention",
                    video_backbone_scale_keys({nonlocal_blocks_key()}));
  register_backbone("i3d", "3D convolutions in the stem and each block's first conv (I3D); Non-local blocks via model.attention",
                    video_backbone_scale_keys({nonlocal_blocks_key()}));
  register_backbone(
      "tsn", "temporal segments fused by the interaction-aware pyramid attention (model.attention stays {})",
      backbone_scale_keys({with_range(config_key("model", "segments", OptionType::integer, "4", "snippets per clip (one frame each), fused by the pyramid attention"),
                  1, 64),
       with_range(config_key("train", "interaction_weight", OptionType::number, "0.1", "weight of the pyramid attention's interaction-aware loss"),
                  0.0, 100.0),
       with_range(config_key("train", "diversity_weight", OptionType::number, "0.1", "weight of the pyramid attention's diversity loss"), 0.0,
                  100.0)}));
}

}  // namespace gaze
