#include "trainers/tasks/classification_task.h"

#include "trainers/tasks/backbone_scale.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "autograd/ops.h"
#include "framework/error.h"
#include "layers/yaml_values.h"
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

}  // namespace

Datasets load_datasets(const Config& config) {
  const std::string root = config.text("data.root");
  ImageSet train_all = load_fashion_mnist(root, "train");
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
  d.test = first(load_fashion_mnist(root, "test"), config.integer("data.test_limit"));
  if (config.integer("model.in_channels") != d.train.channels)
    fail("{}: model.in_channels is {} but {} images have {} channel(s)", config.where("model.in_channels"),
         config.integer("model.in_channels"), config.text("data.dataset"), d.train.channels);
  num_classes(config, static_cast<int64_t>(d.train.class_names.size()));  // checks it
  return d;
}

ClassificationMetrics evaluate(Module& model, const ImageSet& set, const Config& config, Communicator& ranks) {
  model.eval();
  ClassificationMetrics metrics(num_classes(config, static_cast<int64_t>(set.class_names.size())));
  // Each batch's record: its summed loss, its labels and its logits.
  const std::vector<BatchRecord> records =
      evaluate_sharded(ImageSetSource(set, build_transforms(config)), config, ranks, [&](const Batch& batch, int64_t) {
        Tensor logits = model.forward(batch.images);
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
      metrics_(task_eval_metrics(config, "classification", {"top1", "top5"}, {"top1", "top5", "confusion"})),
      data_(load_datasets(config)),
      train_source_(data_.train, build_transforms(config)),
      test_source_(data_.test, build_transforms(config)) {}

std::string ClassificationTask::model_summary() const {
  const YAML::Node& spec = config_.node("model.attention");
  if (!spec.IsMap() || spec.size() == 0 || !spec["type"]) return "none";
  return fmt::format("{} ({})", yaml_text(spec["type"]).value_or("?"), config_.text("model.attention_placement"));
}

std::shared_ptr<Module> ClassificationTask::build_model() const {
  return build_resnet(config_, static_cast<int64_t>(data_.train.class_names.size()));
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
  const ImageSet& set = split == Split::test ? data_.test : data_.val;
  const ClassificationMetrics m = gaze::evaluate(model, set, config_, ranks);
  const std::vector<std::string>& wanted = metrics_;
  Evaluation e;
  e.metrics = {{"loss", m.mean_loss()}};
  if (listed(wanted, "top1")) e.metrics["top1"] = m.top1();
  if (listed(wanted, "top5")) e.metrics["top5"] = m.topk(5);
  e.score = m.top1();
  e.summary = fmt::format("loss {:.4f} top-1 {:.2f}% top-5 {:.2f}%", m.mean_loss(), 100 * m.top1(), 100 * m.topk(5));
  if (!pictures_dir.empty() && listed(wanted, "confusion"))
    write_confusion_png((std::filesystem::path(pictures_dir) / "confusion.png").string(), m.confusion(), set.class_names,
                        split == Split::test ? "test set" : "validation set");  // the picture adds the accuracy
  return e;
}

void register_classification_components() {
  register_dataset("fashion_mnist", "Fashion-MNIST's 28x28 grey images of 10 kinds of clothing, read from data.root");
  register_task("classification", "image classification: cross entropy; top-1 and top-5 accuracy", {"fashion_mnist"}, {"resnet"}, {},
                [](const Config& config) { return std::make_unique<ClassificationTask>(config); });
  register_backbone("resnet", "the classification ResNet, model.attention in its blocks per model.attention_placement", backbone_scale_keys({}));
}

}  // namespace gaze
