#include "trainers/tasks/segmentation_task.h"

#include "trainers/tasks/backbone_scale.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/models/segmentation_nets.h"
#include "trainers/plot/pictures.h"
#include "trainers/tasks/eval_metrics.h"
#include "trainers/tasks/from_config.h"
#include "trainers/tasks/segmentation_datasets.h"
#include "trainers/tasks/segmentation_inference.h"
#include "trainers/tasks/registry.h"
#include "trainers/lib/metrics/segmentation_metrics.h"
#include "trainers/tasks/sharded_evaluation.h"

namespace gaze {

namespace {

constexpr int64_t kTrainScenes = 2000, kValScenes = 200, kTestScenes = 500;
constexpr int64_t kOverlayScenes = 6;  // rows of overlays.png

SegmentationScenesOptions scene_options(const Config& config, int64_t scenes, uint64_t seed) {
  SegmentationScenesOptions o;
  o.scenes = scenes;
  o.size = size_or(config, "data.image_size", 64);
  o.classes_per_scene = config.integer("data.classes_per_scene");
  const std::vector<int64_t> items = config.integers("data.items_per_scene"), sides = config.integers("data.item_size");
  if (items.size() != 2 || items[0] > items[1])
    fail("{}: data.items_per_scene is [fewest, most] items, two values in order (got [{}]); e.g. [2, 4]",
         config.where("data.items_per_scene"), fmt::join(items, ", "));
  if (sides.size() != 2 || sides[0] > sides[1])
    fail("{}: data.item_size is [smallest, largest] side in percent of the canvas, two values in order (got [{}]); e.g. [35, 70]",
         config.where("data.item_size"), fmt::join(sides, ", "));
  o.min_items = items[0], o.max_items = items[1];
  o.min_side = static_cast<double>(sides[0]) / 100.0, o.max_side = static_cast<double>(sides[1]) / 100.0;
  o.seed = seed;
  return o;
}

// The heads of model.head: what each builds and how tables name it.
struct HeadChoice {
  const char* name;
  const char* summary;
  bool danet, position, channel;  // SegmentationNetOptions: the DANet head with PAM and/or CAM, or the FCN head
  const char* doc;
};
constexpr HeadChoice kHeads[] = {
    {"fcn", "FCN head", false, false, false, "the FCN baseline: convolutions on the last stage"},
    {"danet", "DANet head, PAM + CAM", true, true, true, "DANet: position (PAM) and channel (CAM) attention, summed"},
    {"danet_pam", "DANet head, PAM", true, true, false, "DANet's position attention module alone (its Table 1 row)"},
    {"danet_cam", "DANet head, CAM", true, false, true, "DANet's channel attention module alone (its Table 1 row)"},
};

const HeadChoice& head_choice(const std::string& name) {
  for (const auto& h : kHeads)
    if (name == h.name) return h;
  fail("model.head '{}' is not a registered head", name);
}

CrossEntropyOptions pixel_loss(Reduction reduction = Reduction::mean) {
  CrossEntropyOptions o;
  o.ignore_index = kSegmentationIgnore;
  o.reduction = reduction;
  return o;
}

std::vector<std::string> segmentation_task_datasets() {
  std::vector<std::string> names{"segmentation_scenes"};
  for (const auto& name : segmentation_files_dataset_names()) names.push_back(name);
  return names;
}

// The metrics of an evaluation from its confusion matrix and summed pixel loss.
Evaluation segmentation_evaluation(const SegmentationMetrics& m, double loss_sum, const std::vector<std::string>& metrics,
                                   const std::vector<std::string>& names) {
  Evaluation e;
  const double loss = m.pixels() > 0 ? loss_sum / static_cast<double>(m.pixels()) : 0.0;
  e.metrics = {{"loss", loss}};
  if (listed(metrics, "miou")) {
    e.metrics["miou"] = m.miou();
    nlohmann::json per_class = nlohmann::json::object();
    const std::vector<double> iou = m.iou();
    for (size_t c = 0; c < iou.size(); ++c)
      if (!std::isnan(iou[c])) per_class[names[c]] = iou[c];
    e.metrics["iou"] = per_class;
  }
  if (listed(metrics, "pixel_accuracy")) e.metrics["pixel_accuracy"] = m.pixel_accuracy();
  e.score = m.miou();
  e.summary = fmt::format("loss {:.4f} mIoU {:.2f}% pixel accuracy {:.2f}%", loss, 100 * m.miou(), 100 * m.pixel_accuracy());
  return e;
}

}  // namespace

SegmentationTask::SegmentationTask(const Config& config)
    : config_(config),
      metrics_(task_eval_metrics(config, "segmentation", {"miou", "pixel_accuracy"}, {"miou", "pixel_accuracy", "overlays"})) {
  if (is_segmentation_files_dataset(config.text("data.dataset"))) {
    SegmentationFilesSplits splits = load_segmentation_files(config);
    files_val_ = splits.val.get();
    train_ = std::move(splits.train);
    val_ = test_ = std::move(splits.val);
  } else {
    items_ = load_items(config);
    const auto seed = static_cast<uint64_t>(config.integer("data.seed")) * 3;
    train_ = std::make_shared<SegmentationScenes>(items_.train, scene_options(config, size_or(config, "data.train_size", kTrainScenes), seed));
    val_ = std::make_shared<SegmentationScenes>(items_.train, scene_options(config, size_or(config, "data.val_size", kValScenes), seed + 1));
    test_ = std::make_shared<SegmentationScenes>(items_.test, scene_options(config, size_or(config, "data.test_size", kTestScenes), seed + 2));
  }
  check_in_channels(config, train_->input_shape()[0]);
  num_classes(config, static_cast<int64_t>(train_->class_names().size()));
}

std::string SegmentationTask::model_summary() const {
  return head_choice(config_.text("model.head")).summary;
}

std::shared_ptr<Module> SegmentationTask::build_model() const {
  SegmentationNetOptions o;
  o.in_channels = config_.integer("model.in_channels");
  o.num_classes = num_classes(config_, static_cast<int64_t>(train_->class_names().size()));
  const BackboneScale scale = backbone_scale(config_);
  o.widths = scale.widths;
  o.blocks = scale.blocks;
  o.block = scale.block;
  o.stem = scale.stem;
  o.zero_init_residual = scale.zero_init_residual;
  const HeadChoice& head = head_choice(config_.text("model.head"));
  o.head = head.danet ? "danet" : "fcn";
  o.position = head.position;
  o.channel = head.channel;
  o.stem_nonlocal = config_.text("model.stem_nonlocal");
  auto model = std::make_shared<SegmentationNet>(o);
  model->to(parse_device(config_.text("train.device")));
  return model;
}

StepOutput SegmentationTask::train_step(Module& model, const Batch& batch) const {
  const TensorDict outputs = model.forward_all({batch.images});
  const Tensor& logits = outputs.at("out");
  Tensor ce = cross_entropy(logits, batch.labels, pixel_loss());
  StepOutput out;
  out.loss = ce;
  out.terms = {{"ce", ce.item()}};
  const double weight = config_.number("train.aux_weight");
  for (const auto& [name, prediction] : outputs.items()) {  // every other output is an auxiliary prediction
    if (name == "out") continue;
    Tensor aux = cross_entropy(prediction, batch.labels, pixel_loss());
    out.loss = out.loss + aux * weight;
    out.terms.emplace_back("aux_" + name, aux.item());
  }
  NoGradGuard no_grad;
  const Tensor labelled = lt(batch.labels, scalar_tensor(static_cast<double>(kSegmentationIgnore), DType::i64));  // 1: not ignored
  out.correct = static_cast<int64_t>(sum(mul(eq(argmax(logits.detach(), 1), batch.labels), labelled)).item());
  out.counted = static_cast<int64_t>(sum(labelled).item());
  return out;
}

Evaluation SegmentationTask::evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const {
  if (files_val_ != nullptr) return evaluate_files(model, *files_val_, pictures_dir, ranks);
  const ExampleSource& set = split == Split::test ? *test_ : *val_;
  model.eval();
  const auto& names = set.class_names();
  const auto classes = static_cast<int64_t>(names.size());
  const int64_t side = set.input_shape()[1], pixels = set.input_shape()[1] * set.input_shape()[2];
  const int64_t image_values = numel(set.input_shape());
  // Each batch's record: its summed loss, how many overlay scenes it holds, its confusion matrix
  // (counts), then each overlay scene's image, target and prediction.
  const std::vector<BatchRecord> records = evaluate_sharded(set, config_, ranks, [&](const Batch& batch, int64_t first) {
    Tensor logits = model.forward(batch.images);
    SegmentationMetrics counts(classes, kSegmentationIgnore);
    counts.add(logits, batch.labels);
    const int64_t overlays = std::clamp<int64_t>(kOverlayScenes - first, 0, batch.labels.size(0));
    BatchRecord record{cross_entropy(logits, batch.labels, pixel_loss(Reduction::sum)).item(), static_cast<double>(overlays)};
    for (const auto& row : counts.confusion())
      for (int64_t count : row) record.push_back(static_cast<double>(count));
    for (int64_t k = 0; k < overlays; ++k) {
      // The picture shows the scene as rendered: undo the normalization into [0, 1].
      for (float v : select(batch.images, 0, k).to(Device::cpu()).to_vector<float>())
        record.push_back(std::clamp(v * kSegmentationStd + kSegmentationMean, 0.0f, 1.0f));
      append_values(record, select(batch.labels, 0, k));
      append_values(record, argmax(select(logits, 0, k), 0));
    }
    return record;
  });
  SegmentationMetrics m(classes, kSegmentationIgnore);
  double loss_sum = 0;
  std::vector<std::vector<float>> images;
  std::vector<std::vector<int64_t>> targets, predictions;
  const auto whole = [](const std::vector<double>& values) { return std::vector<int64_t>(values.begin(), values.end()); };
  for (const BatchRecord& record : records) {
    loss_sum += record[0];
    size_t position = 2;
    m.add_confusion(whole(take_values(record, position, classes * classes)));
    for (int64_t k = 0; k < static_cast<int64_t>(record[1]); ++k) {
      const std::vector<double> image = take_values(record, position, image_values);
      images.emplace_back(image.begin(), image.end());
      targets.push_back(whole(take_values(record, position, pixels)));
      predictions.push_back(whole(take_values(record, position, pixels)));
    }
  }
  Evaluation e = segmentation_evaluation(m, loss_sum, metrics_, names);
  if (!pictures_dir.empty() && listed(metrics_, "overlays"))
    write_segmentation_overlays_png((std::filesystem::path(pictures_dir) / "overlays.png").string(), images, targets, predictions, side,
                                    set.input_shape()[2], names, kSegmentationIgnore);
  return e;
}

Evaluation SegmentationTask::evaluate_files(Module& model, const SegmentationFiles& set, const std::string& pictures_dir,
                                            Communicator& ranks) const {
  NoGradGuard no_grad;
  model.eval();
  const auto& names = set.class_names();
  const SegmentationFilesOptions& options = set.options();
  const SegmentationEvalMode mode = segmentation_eval_mode(config_, options);
  const Device device = parse_device(config_.text("train.device"));
  const auto classes = static_cast<int64_t>(names.size());
  // Images differ in size, so each goes through alone; the logits come back to its label map's size.
  // Under mpirun image i is rank i mod ranks's; its record (summed loss, confusion counts) reaches
  // every rank, which adds them up in image order as one process does: the same metrics, bit for bit.
  std::vector<BatchRecord> records(static_cast<size_t>(set.size()));
  for (int64_t i = ranks.rank(); i < set.size(); i += ranks.size()) {
    const WholeImage whole = set.whole_image(i);
    const Size2 input_size{whole.image.height, whole.image.width};
    std::vector<float> input(static_cast<size_t>(3 * input_size.height * input_size.width));
    std::vector<int64_t> unused_labels(static_cast<size_t>(input_size.height * input_size.width));
    write_normalized(whole.image, options.mean, options.std, input_size, input.data(), unused_labels.data());
    const Tensor image = from_vector(input, {1, 3, input_size.height, input_size.width}).to(device);
    Tensor logits = mode.slide ? slide_logits(model, image, mode.crop, mode.stride) : whole_logits(model, image);
    logits = resize_logits(logits, {whole.labels.height, whole.labels.width});
    const std::vector<int64_t> label_values(whole.labels.labels.begin(), whole.labels.labels.end());
    const Tensor labels = from_vector(label_values, {1, whole.labels.height, whole.labels.width}).to(device);
    SegmentationMetrics counts(classes, kSegmentationIgnore);
    counts.add(logits, labels);
    BatchRecord& record = records[static_cast<size_t>(i)];
    record.push_back(cross_entropy(logits, labels, pixel_loss(Reduction::sum)).item());
    for (const auto& row : counts.confusion())
      for (int64_t count : row) record.push_back(static_cast<double>(count));
  }
  records = share_records(std::move(records), ranks);
  SegmentationMetrics m(classes, kSegmentationIgnore);
  double loss_sum = 0;
  for (const BatchRecord& record : records) {
    loss_sum += record[0];
    size_t position = 1;
    const std::vector<double> confusion = take_values(record, position, classes * classes);
    m.add_confusion(std::vector<int64_t>(confusion.begin(), confusion.end()));
  }
  Evaluation e = segmentation_evaluation(m, loss_sum, metrics_, names);
  if (!pictures_dir.empty() && listed(metrics_, "overlays")) {
    // The first images at the training crop's size (resized to the base scale, top-left crop), in grey.
    std::vector<std::vector<float>> images;
    std::vector<std::vector<int64_t>> targets, predictions;
    const Shape shape = set.input_shape();
    const int64_t plane = shape[1] * shape[2];
    for (int64_t k = 0; k < std::min<int64_t>(kOverlayScenes, set.size()); ++k) {
      std::vector<float> input(static_cast<size_t>(numel(shape)));
      std::vector<int64_t> target(static_cast<size_t>(plane));
      set.example(k, nullptr, input.data(), target.data());
      const Tensor image = from_vector(input, {1, shape[0], shape[1], shape[2]}).to(device);
      predictions.push_back(argmax(select(whole_logits(model, image), 0, 0), 0).to(Device::cpu()).to_vector<int64_t>());
      std::vector<float> grey(static_cast<size_t>(plane), 0.0f);
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t p = 0; p < plane; ++p)
          grey[p] += static_cast<float>(std::clamp((input[c * plane + p] * options.std[c] + options.mean[c]) / 255.0, 0.0, 1.0) / 3.0);
      images.push_back(std::move(grey));
      targets.push_back(std::move(target));
    }
    write_segmentation_overlays_png((std::filesystem::path(pictures_dir) / "overlays.png").string(), images, targets, predictions, shape[1],
                                    shape[2], names, kSegmentationIgnore);
  }
  return e;
}

void register_segmentation_components() {
  register_dataset(
      "segmentation_scenes", "synthetic scenes of Fashion-MNIST items on textured ground, labelled per pixel (docs/datasets.md)",
      {set_size_key("train_size", fmt::format("scenes for training; 0: {}", kTrainScenes)),
       set_size_key("val_size", fmt::format("scenes held out for validation; 0: {}", kValScenes)),
       set_size_key("test_size", fmt::format("scenes for testing; 0: {}", kTestScenes)), image_size_key(64),
       with_range(config_key("data", "classes_per_scene", OptionType::integer, "0",
                             "classes a scene's items are drawn from (1: one class per scene); 0: each item's own"),
                  0, 10),
       with_range(config_key("data", "items_per_scene", OptionType::integer_list, "[2, 4]", "fewest and most items in a scene"), 1, 16),
       with_range(config_key("data", "item_size", OptionType::integer_list, "[35, 70]", "smallest and largest item side, percent of the canvas"),
                  1, 100)},
      [](const ImageSet& items, uint64_t seed) {
        SegmentationScenesOptions options;
        options.seed = seed;
        return std::make_unique<SegmentationScenes>(items, options);
      });
  register_segmentation_files_datasets();
  register_task("segmentation", "semantic segmentation: per-pixel cross entropy plus the auxiliary heads'; mIoU and pixel accuracy",
                segmentation_task_datasets(), {"dilated_fcn"},
                {with_range(config_key("train", "aux_weight", OptionType::number, "0.4", "weight of each auxiliary head's loss (mmseg's 0.4)"),
                            0.0, 10.0)},
                [](const Config& config) { return std::make_unique<SegmentationTask>(config); });
  register_backbone("dilated_fcn", "dilated ResNet at output stride 8 with a segmentation head (model.head)",
                    backbone_scale_keys({config_key("model", "head", OptionType::text, "fcn",
                                                    "the segmentation head: fcn (the baseline), danet (PAM and CAM), danet_pam, danet_cam (DANet's "
                                                    "Table 1 rows)"),
                                         with_choices(config_key("model", "stem_nonlocal", OptionType::text, "none",
                                                                 "a Non-local block of this mode on the stem's output (attention_impl auto), or none"),
                                                      {"none", "gaussian", "embedded_gaussian", "dot_product", "concatenation"})}));
  for (const auto& head : kHeads) register_head(head.name, head.doc);
}

}  // namespace gaze
