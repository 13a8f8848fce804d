#include "trainers/tasks/classification_task.h"

#include "trainers/tasks/backbone_scale.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/yaml_values.h"
#include "trainers/datasets/cifar10.h"
#include "trainers/datasets/image_folder.h"
#include "trainers/plot/plot.h"
#include "trainers/tasks/eval_metrics.h"
#include "trainers/tasks/task_support.h"
#include "trainers/tasks/from_config.h"
#include "trainers/tasks/registry.h"
#include "trainers/tasks/sharded_evaluation.h"

namespace gaze {

namespace {

ImageSet first(const ImageSet& set, int64_t limit) {
  if (limit <= 0 || limit >= set.size()) return set;
  std::vector<int64_t> indices(static_cast<size_t>(limit));
  for (int64_t i = 0; i < limit; ++i) indices[i] = i;
  return set.subset(indices);
}

// An evenly spaced `limit` of the split's files: they are sorted by class, so the first `limit`
// would keep only the first classes.
ImageFolderIndex evenly_limited(ImageFolderIndex index, int64_t limit) {
  const auto count = static_cast<int64_t>(index.files.size());
  if (limit <= 0 || limit >= count) return index;
  ImageFolderIndex kept = index;
  kept.files.clear();
  kept.labels.clear();
  for (int64_t k = 0; k < limit; ++k) {
    const int64_t i = k * count / limit;
    kept.files.push_back(index.files[static_cast<size_t>(i)]);
    kept.labels.push_back(index.labels[static_cast<size_t>(i)]);
  }
  return kept;
}

ImageSet load_in_memory_split(const Config& config, const std::string& split) {
  const std::string root = config.text("data.root");
  return config.text("data.dataset") == "cifar10" ? load_cifar10(root, split) : load_fashion_mnist(root, split);
}

TransformOptions in_memory_transforms(const Config& config) {
  TransformOptions t = build_transforms(config);
  if (config.text("data.dataset") == "cifar10") {
    t.mean = cifar10_mean();
    t.std = cifar10_std();
  }
  return t;
}

ImageTransformOptions image_folder_transforms(const Config& config, std::vector<std::string> names) {
  ImageTransformOptions t;
  t.names = std::move(names);
  t.size = size_or(config, "data.image_size", 224);
  // ImageNet's evaluation resizes to 256 for a 224 crop: the same proportion at other sizes.
  t.resize = size_or(config, "data.resize_size", static_cast<int64_t>(std::lround(static_cast<double>(t.size) * 256.0 / 224.0)));
  t.brightness = t.contrast = t.saturation = config.number("data.jitter");
  return t;
}

}  // namespace

Datasets load_datasets(const Config& config) {
  ImageSet train_all = load_in_memory_split(config, "train");
  Datasets d;
  const double fraction = config.number("data.val_fraction");
  if (fraction > 0) {
    auto [train, val] = split_train_val(train_all, fraction, static_cast<uint64_t>(config.integer("data.seed")));
    d.train = std::move(train);
    d.val = first(val, config.integer("data.test_limit"));
  } else {
    d.train = std::move(train_all);
  }
  d.train = first(d.train, config.integer("data.train_limit"));
  d.test = first(load_in_memory_split(config, "test"), config.integer("data.test_limit"));
  if (config.integer("model.in_channels") != d.train.channels)
    fail("{}: model.in_channels is {} but {} images have {} channel(s)", config.where("model.in_channels"),
         config.integer("model.in_channels"), config.text("data.dataset"), d.train.channels);
  num_classes(config, static_cast<int64_t>(d.train.class_names.size()));  // checks it
  return d;
}

ClassificationMetrics evaluate(Module& model, const ExampleSource& source, const Config& config, Communicator& ranks) {
  model.eval();
  ClassificationMetrics metrics(num_classes(config, static_cast<int64_t>(source.class_names().size())));
  const bool mirrored_too = config.boolean("eval.flip");
  // Each batch's record: its summed loss, its labels and its logits.
  const std::vector<BatchRecord> records =
      evaluate_sharded(source, config, ranks, [&](const Batch& batch, int64_t) {
        Tensor logits = model.forward(batch.images);
        // Flip test-time augmentation: the mean of the image's and its mirror's logits (the
        // images are [N, C, H, W]: dim -1 is the width).
        if (mirrored_too) logits = (logits + model.forward(flip(batch.images, -1))) * 0.5;
        CrossEntropyOptions summed;
        summed.reduction = Reduction::sum;
        BatchRecord record{cross_entropy(logits, batch.labels, summed).item()};
        append_values(record, batch.labels);
        append_values(record, logits);
        return record;
      });
  for (const BatchRecord& record : records) {
    const auto n = static_cast<int64_t>(record.size() - 1) / (1 + metrics.classes());
    size_t position = 1;
    const std::vector<double> labels = take_values(record, position, n);
    const std::vector<double> logits = take_values(record, position, n * metrics.classes());
    metrics.add(from_vector(logits, {n, metrics.classes()}, DType::f32), from_vector(std::vector<int64_t>(labels.begin(), labels.end()), {n}),
                record[0]);
  }
  return metrics;
}

ClassificationTask::ClassificationTask(const Config& config)
    : config_(config),
      metrics_(task_eval_metrics(config, "classification", {"top1", "top5"}, {"top1", "top5", "confusion"})) {
  if (config.text("data.dataset") != "imagefolder") {
    data_ = load_datasets(config);
    const TransformOptions transforms = in_memory_transforms(config);
    train_source_ = std::make_unique<ImageSetSource>(data_.train, transforms);
    val_source_ = std::make_unique<ImageSetSource>(data_.val, transforms);
    test_source_ = std::make_unique<ImageSetSource>(data_.test, transforms);
    return;
  }
  ImageFolderSplits splits = scan_image_folder_splits(config.text("data.root"));
  check_in_channels(config, 3);  // decoded as RGB
  num_classes(config, static_cast<int64_t>(splits.train.class_names.size()));  // checks it
  const ImageTransformOptions train = image_folder_transforms(config, config.texts("data.transforms"));
  const ImageTransformOptions eval = image_folder_transforms(config, config.texts("data.eval_transforms"));
  const int64_t test_limit = config.integer("data.test_limit");
  train_source_ = std::make_unique<ImageFolderSource>(evenly_limited(std::move(splits.train), config.integer("data.train_limit")), train, eval);
  val_source_ = std::make_unique<ImageFolderSource>(evenly_limited(std::move(splits.val), test_limit), train, eval);
  test_source_ = std::make_unique<ImageFolderSource>(evenly_limited(std::move(splits.test), test_limit), train, eval);
}

std::string ClassificationTask::model_summary() const {
  const YAML::Node& spec = config_.node("model.attention");
  if (!spec.IsMap() || spec.size() == 0 || !spec["type"]) return "none";
  return fmt::format("{} ({})", yaml_text(spec["type"]).value_or("?"), config_.text("model.attention_placement"));
}

std::shared_ptr<Module> ClassificationTask::build_model() const {
  return build_resnet(config_, static_cast<int64_t>(train_source_->class_names().size()));
}

StepOutput ClassificationTask::train_step(Module& model, const Batch& batch) const {
  CrossEntropyOptions options;
  options.label_smoothing = config_.number("train.label_smoothing");
  Tensor logits = model.forward(batch.images);
  StepOutput out;
  out.loss = cross_entropy(logits, batch.labels, options);
  NoGradGuard no_grad;
  out.correct = static_cast<int64_t>(sum(eq(argmax(logits.detach(), 1), batch.labels)).item());
  out.counted = batch.labels.numel();
  return out;
}

Evaluation ClassificationTask::evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const {
  const ExampleSource& source = split == Split::test ? *test_source_ : *val_source_;
  const ClassificationMetrics m = gaze::evaluate(model, source, config_, ranks);
  const std::vector<std::string>& wanted = metrics_;
  Evaluation e;
  e.metrics = {{"loss", m.mean_loss()}};
  if (listed(wanted, "top1")) e.metrics["top1"] = m.top1();
  if (listed(wanted, "top5")) e.metrics["top5"] = m.topk(5);
  e.score = m.top1();
  e.summary = fmt::format("loss {:.4f} top-1 {:.2f}% top-5 {:.2f}%", m.mean_loss(), 100 * m.top1(), 100 * m.topk(5));
  if (!pictures_dir.empty() && listed(wanted, "confusion"))
    write_confusion_png((std::filesystem::path(pictures_dir) / "confusion.png").string(), m.confusion(), source.class_names(),
                        split == Split::test ? "test set" : "validation set");  // the picture adds the accuracy
  return e;
}

void register_classification_components() {
  register_dataset("fashion_mnist", "Fashion-MNIST's 28x28 grey images of 10 kinds of clothing, read from data.root");
  register_dataset("cifar10",
                   "CIFAR-10's 32x32 colour images of 10 classes: the binary batches in data.root (or its cifar-10-batches-bin), "
                   "normalized with CIFAR-10's mean and std (docs/datasets.md)");
  register_dataset(
      "imagefolder",
      "torchvision's ImageFolder: data.root/train, data.root/val (and data.root/test, else val is the test set too), one folder per "
      "class of .png/.jpg/.jpeg/.bmp images, decoded as RGB and normalized with ImageNet's mean and std; data.transforms for "
      "training, data.eval_transforms for evaluation (docs/datasets.md)",
      {image_size_key(224),
       with_range(config_key("data", "resize_size", OptionType::integer, "0",
                             "imagefolder: the resize transform's shorter side; 0: image_size * 256 / 224 (ImageNet's 256 for 224)"),
                  0, 8192),
       with_choices(config_key("data", "eval_transforms", OptionType::text_list, "[resize, center_crop, normalize]",
                               "imagefolder: the transforms of evaluation (validation, test), applied in order; random ones are skipped"),
                    image_transform_names()),
       with_range(config_key("data", "jitter", OptionType::number, "0.4",
                             "imagefolder: color_jitter's brightness, contrast and saturation strength v (factors in [1 - v, 1 + v])"),
                  0.0, 1.0)});
  register_task("classification", "image classification: cross entropy; top-1 and top-5 accuracy", {"fashion_mnist", "cifar10", "imagefolder"},
                {"resnet"},
                {config_key("eval", "flip", OptionType::boolean, "false",
                            "classification: also classify each image mirrored left to right and average the two logits "
                            "(flip test-time augmentation, for validation and test; evaluation takes twice as long)")},
                [](const Config& config) { return std::make_unique<ClassificationTask>(config); });
  register_backbone("resnet", "the classification ResNet, model.attention in its blocks per model.attention_placement", backbone_scale_keys({}));
}

}  // namespace gaze
