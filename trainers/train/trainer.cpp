#include "trainers/train/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "autograd/ops.h"
#include "backends/registry.h"
#include "backends/threads.h"
#include "framework/error.h"
#include "trainers/checkpoint/atomic_file.h"
#include "trainers/data/image_set.h"
#include "trainers/data/loader.h"
#include "trainers/optim/clip_grad.h"
#include "trainers/report/plot.h"
#include "trainers/train/checkpoints.h"
#include "trainers/train/from_config.h"
#include "trainers/train/progress.h"
#include "trainers/train/run_directory.h"

namespace gaze {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

ImageSet first(const ImageSet& set, int64_t limit) {
  if (limit <= 0 || limit >= set.size()) return set;
  std::vector<int64_t> indices(static_cast<size_t>(limit));
  for (int64_t i = 0; i < limit; ++i) indices[i] = i;
  return set.subset(indices);
}

int64_t count_parameters(const Module& model) {
  int64_t n = 0;
  for (const auto& [_, p] : model.named_parameters()) n += p.numel();
  return n;
}

bool listed(const std::vector<std::string>& metrics, const std::string& name) {
  return std::find(metrics.begin(), metrics.end(), name) != metrics.end();
}

// An evaluation record with the loss and the eval.metrics that are scalars.
json metrics_record(const std::string& split, int64_t epoch, int64_t step, const ClassificationMetrics& m,
                    const std::vector<std::string>& metrics) {
  json record{{"type", "eval"}, {"split", split}, {"epoch", epoch}, {"global_step", step}, {"loss", m.mean_loss()}};
  if (listed(metrics, "top1")) record["top1"] = m.top1();
  if (listed(metrics, "top5")) record["top5"] = m.topk(5);
  return record;
}

// curves.png from the metrics log: loss, learning rate and accuracy over steps.
void write_curves(const RunPaths& paths) {
  Series train_loss{"train", {}, {}}, val_loss{"val", {}, {}}, lr{"lr", {}, {}}, val_top1{"val", {}, {}}, train_top1{"train", {}, {}};
  int64_t steps_at_epoch_end = 0;
  for (const json& r : read_metrics(paths.metrics())) {
    const std::string type = r.value("type", "");
    const double step = r.value("global_step", 0.0);
    if (type == "train") {
      train_loss.x.push_back(step), train_loss.y.push_back(r.at("loss"));
      lr.x.push_back(step), lr.y.push_back(r.at("lr"));
    } else if (type == "epoch") {
      steps_at_epoch_end = r.value("global_step", steps_at_epoch_end);
      train_top1.x.push_back(step), train_top1.y.push_back(r.at("train_top1"));
    } else if (type == "eval" && r.value("split", "") == "val") {
      val_loss.x.push_back(step), val_loss.y.push_back(r.at("loss"));
      if (r.contains("top1")) val_top1.x.push_back(step), val_top1.y.push_back(r.at("top1"));
    }
  }
  write_line_charts_png(paths.curves(), {Panel{"loss", "step", {train_loss, val_loss}, true},
                                         Panel{"learning rate", "step", {lr}, false},
                                         Panel{"top-1 accuracy", "step", {train_top1, val_top1}, false}});
}

void write_confusion(const RunPaths& paths, const ClassificationMetrics& m, const std::vector<std::string>& classes,
                     const std::string& split) {
  write_confusion_png(paths.confusion(), m.confusion(), classes, split + " set");  // the picture adds the accuracy
}

// Mean training time per epoch over the run's epoch records (a resumed epoch's time includes the
// part before the interruption: it is carried in the checkpoint).
double mean_epoch_seconds(const RunPaths& paths) {
  double total = 0;
  int64_t count = 0;
  for (const json& r : read_metrics(paths.metrics()))
    if (r.value("type", "") == "epoch") total += r.value("epoch_seconds", 0.0), ++count;
  return count ? total / count : 0.0;
}

// Where a resumed run starts: the checkpoint directory `resume` stands for.
std::string checkpoint_to_resume(const std::string& resume, const RunPaths& paths) {
  if (resume == "auto") {
    const std::string latest = latest_checkpoint(paths.checkpoints());
    if (latest.empty())
      fail("--resume auto: {} holds no checkpoint to continue from; start the run without --resume", paths.checkpoints());
    return latest;
  }
  std::error_code ec;
  if (fs::is_directory(fs::path(resume) / "checkpoints", ec)) {
    const std::string latest = latest_checkpoint((fs::path(resume) / "checkpoints").string());
    if (latest.empty()) fail("--resume {}: this run directory holds no checkpoint", resume);
    return latest;
  }
  return resume;
}

// A resumed run must be the same run: the keys that shape the results may not change.
void check_same_run(const Config& config, const RunPaths& paths) {
  std::error_code ec;
  if (!fs::exists(paths.config(), ec)) return;
  const Config saved = load_config(paths.config());
  std::vector<std::string> changed;
  for (const auto& [key, value] : config.values) {
    if (key.rfind("log.", 0) == 0 || key == "train.backend" || key == "train.threads" || key == "train.log_interval" ||
        key == "data.prefetch")
      continue;
    auto it = saved.values.find(key);
    if (it == saved.values.end() || YAML::Dump(it->second) != YAML::Dump(value)) changed.push_back(key);
  }
  if (!changed.empty())
    fail("cannot resume: {} differ from the run's {} ({}); resuming would mix two runs — start a new run (--set log.name=...) instead",
         changed.size() == 1 ? "this key's value would" : "these keys' values would", paths.config(), fmt::join(changed, ", "));
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
  if (config.integer("model.num_classes") < static_cast<int64_t>(d.train.class_names.size()))
    fail("{}: model.num_classes is {} but {} has {} classes", config.where("model.num_classes"), config.integer("model.num_classes"),
         config.text("data.dataset"), d.train.class_names.size());
  return d;
}

ClassificationMetrics evaluate(Module& model, const ImageSet& set, const Config& config) {
  NoGradGuard no_grad;
  model.eval();
  LoaderOptions options{.batch_size = config.integer("data.batch_size"), .shuffle = false, .drop_last = false, .augment = false,
                        .transforms = build_transforms(config), .seed = 0, .prefetch = config.integer("data.prefetch")};
  DataLoader loader(set, options);
  loader.start_epoch(0);
  ClassificationMetrics metrics(config.integer("model.num_classes"));
  Batch batch;
  const Device device = parse_device(config.text("train.device"));
  while (loader.next(batch)) {
    if (device != Device::cpu()) batch.images = batch.images.to(device), batch.labels = batch.labels.to(device);
    Tensor logits = model.forward(batch.images);
    CrossEntropyOptions summed;
    summed.reduction = Reduction::sum;
    const double loss_sum = cross_entropy(logits, batch.labels, summed).item();
    metrics.add(logits, batch.labels, loss_sum);
  }
  return metrics;
}

TrainResult train(const Config& config, const TrainOptions& options) {
  if (!options.resume.empty() && !options.weights.empty())
    fail("--resume and --weights are exclusive: resume continues a run with its own weights; --weights starts a new run from given weights");
  const RunPaths paths = run_paths(config, options.config_path);
  std::error_code ec;
  if (options.resume.empty() && (fs::exists(paths.metrics(), ec) || !latest_checkpoint(paths.checkpoints()).empty()))
    fail("run directory {} already holds a run: continue it with --resume auto, or start another with --set log.name=NAME "
         "(or remove the directory)",
         paths.dir);
  if (!options.resume.empty()) check_same_run(config, paths);

  // Everything that can fail on bad input happens before the run directory is touched.
  const Datasets data = load_datasets(config);
  manual_seed(static_cast<uint64_t>(config.integer("train.seed")));
  const Device device = parse_device(config.text("train.device"));
  std::shared_ptr<Module> model = build_model(config);
  std::unique_ptr<Optimizer> optimizer = build_optimizer(config, model->parameters());
  const Schedule schedule = build_schedule(config);
  if (!options.weights.empty()) load_weights(options.weights, *model);

  TrainerState state;
  std::string resumed_from;
  if (!options.resume.empty()) {
    resumed_from = checkpoint_to_resume(options.resume, paths);
    state = load_checkpoint(resumed_from, *model, *optimizer);
    default_generator().set_state(state.rng_state);
  }

  const uint64_t seed = static_cast<uint64_t>(config.integer("train.seed"));
  const int64_t batch_size = config.integer("data.batch_size");
  const int64_t epochs = config.integer("train.epochs");
  const int64_t log_interval = config.integer("train.log_interval");
  const int64_t eval_interval = config.integer("train.eval_interval");
  const int64_t checkpoint_interval = config.integer("checkpoint.interval");
  const int64_t checkpoint_steps = config.integer("checkpoint.every_steps");
  const int64_t keep = config.integer("checkpoint.keep");
  const double grad_clip = config.number("optim.grad_clip");
  CrossEntropyOptions loss_options;
  loss_options.label_smoothing = config.number("train.label_smoothing");
  // What runs the kernels: on a GPU every op goes to `cuda`, whichever CPU backend is selected.
  const std::string backend = device.is_cpu() ? cpu_backend().name() : "cuda";
  const std::vector<std::string> eval_metrics = config.texts("eval.metrics");

  LoaderOptions loader_options{.batch_size = batch_size, .shuffle = true, .drop_last = true, .augment = true,
                               .transforms = build_transforms(config), .seed = seed, .prefetch = config.integer("data.prefetch")};
  DataLoader loader(data.train, loader_options);
  const int64_t steps_per_epoch = loader.batches_per_epoch();
  if (steps_per_epoch == 0)
    fail("{}: data.batch_size ({}) is larger than the training set ({} images): no full batch to train on",
         config.where("data.batch_size"), batch_size, data.train.size());

  fs::create_directories(paths.checkpoints(), ec);
  if (ec) fail("cannot create run directory {}: {}", paths.dir, ec.message());
  write_file_atomically(paths.config(), config.to_yaml());
  json manifest = environment_manifest(options.config_path, options.command_line);
  manifest["parameters"] = count_parameters(*model);
  manifest["train_images"] = data.train.size();
  manifest["val_images"] = data.val.size();
  manifest["test_images"] = data.test.size();
  if (!resumed_from.empty()) manifest["resumed_from"] = resumed_from;
  write_file_atomically(resumed_from.empty() ? paths.manifest() : paths.dir + "/manifest-resume-" + std::to_string(state.global_step) + ".json",
                        manifest.dump(2) + "\n");
  MetricsLog log(paths.metrics(), resumed_from.empty() ? -1 : state.metrics_bytes);

  fmt::print("run {}: {} parameters, {} train / {} val / {} test images, {} steps per epoch, backend {}, {} threads{}\n", paths.dir,
             count_parameters(*model), data.train.size(), data.val.size(), data.test.size(), steps_per_epoch, backend, num_threads(),
             resumed_from.empty() ? "" : fmt::format(", resumed from {}", resumed_from));
  std::fflush(stdout);

  auto checkpoint = [&] {
    state.rng_state = default_generator().state();
    state.metrics_bytes = log.bytes();
    save_checkpoint(paths.checkpoints(), *model, *optimizer, state, keep);
  };

  TrainResult result;
  result.run_dir = paths.dir;
  result.parameters = count_parameters(*model);
  for (; state.epoch < epochs; ++state.epoch) {
    const int64_t epoch = state.epoch;
    model->train();
    loader.start_epoch(epoch, state.step_in_epoch);
    ProgressBar bar(fmt::format("epoch {}/{}", epoch + 1, epochs), steps_per_epoch, batch_size, options.progress && stderr_is_terminal());
    Batch batch;
    while (loader.next(batch)) {
      const auto step_start = Clock::now();
      const double lr = schedule.learning_rate(epoch + static_cast<double>(state.step_in_epoch) / steps_per_epoch);
      optimizer->set_lr(lr);
      if (device != Device::cpu()) batch.images = batch.images.to(device), batch.labels = batch.labels.to(device);
      Tensor logits = model->forward(batch.images);
      Tensor loss = cross_entropy(logits, batch.labels, loss_options);
      optimizer->zero_grad();
      loss.backward();
      const double loss_value = loss.item();
      if (!std::isfinite(loss_value))
        fail("epoch {} step {}: the loss is {} — lower optim.lr, set optim.grad_clip, or check the data", epoch + 1,
             state.step_in_epoch + 1, loss_value);
      if (grad_clip > 0) clip_grad_norm(model->parameters(), grad_clip);
      optimizer->step();
      {
        NoGradGuard no_grad;
        state.epoch_correct += static_cast<int64_t>(sum(eq(argmax(logits.detach(), 1), batch.labels)).item());
      }
      const double step_seconds = seconds_since(step_start);
      state.epoch_seconds += step_seconds + batch.wait_seconds;
      state.epoch_loss += loss_value * batch.labels.numel();
      state.epoch_images += batch.labels.numel();
      state.interval_loss += loss_value;
      state.interval_steps += 1;
      state.step_in_epoch += 1;
      state.global_step += 1;
      bar.update(state.step_in_epoch, fmt::format("loss {:.4f}", loss_value));
      if (state.global_step % log_interval == 0) {
        const double mean_loss = state.interval_loss / state.interval_steps;
        log.write({{"type", "train"}, {"epoch", epoch + 1}, {"step", state.step_in_epoch}, {"global_step", state.global_step},
                   {"loss", mean_loss}, {"lr", lr}, {"step_ms", 1e3 * step_seconds}, {"data_ms", 1e3 * batch.wait_seconds},
                   {"images_per_s", batch.labels.numel() / std::max(step_seconds + batch.wait_seconds, 1e-9)}});
        bar.clear();
        fmt::print("epoch {}/{} step {}/{} loss {:.4f} lr {:.5f} step {:.1f} ms data {:.2f} ms backend {}\n", epoch + 1, epochs,
                   state.step_in_epoch, steps_per_epoch, mean_loss, lr, 1e3 * step_seconds, 1e3 * batch.wait_seconds, backend);
        std::fflush(stdout);
        state.interval_loss = 0;
        state.interval_steps = 0;
      }
      if (checkpoint_steps > 0 && state.global_step % checkpoint_steps == 0) checkpoint();
    }
    bar.finish();

    // The epoch is done: its summary, the evaluation, the best weights, the epoch checkpoint.
    const double train_top1 = state.epoch_images ? static_cast<double>(state.epoch_correct) / state.epoch_images : 0.0;
    log.write({{"type", "epoch"}, {"epoch", epoch + 1}, {"global_step", state.global_step},
               {"train_loss", state.epoch_images ? state.epoch_loss / state.epoch_images : 0.0}, {"train_top1", train_top1},
               {"epoch_seconds", state.epoch_seconds}});
    std::string line = fmt::format("epoch {}/{} done in {}: train loss {:.4f} top-1 {:.2f}%", epoch + 1, epochs,
                                   format_duration(state.epoch_seconds), state.epoch_images ? state.epoch_loss / state.epoch_images : 0.0,
                                   100 * train_top1);
    if (((epoch + 1) % eval_interval == 0 || epoch + 1 == epochs) && data.val.size() > 0) {
      ClassificationMetrics val = evaluate(*model, data.val, config);
      log.write(metrics_record("val", epoch + 1, state.global_step, val, eval_metrics));
      line += fmt::format(", val loss {:.4f} top-1 {:.2f}% top-5 {:.2f}%", val.mean_loss(), 100 * val.top1(), 100 * val.topk(5));
      if (val.top1() > state.best_top1) {
        state.best_top1 = val.top1();
        state.best_epoch = epoch + 1;
        save_weights(paths.best_weights(), *model, {{"format", "pt"}, {"epoch", std::to_string(epoch + 1)},
                                                    {"val_top1", fmt::format("{}", val.top1())}});
        line += " (best)";
      }
      if (listed(eval_metrics, "confusion")) write_confusion(paths, val, data.val.class_names, "validation");
    }
    fmt::print("{}\n", line);
    std::fflush(stdout);
    write_curves(paths);
    state.step_in_epoch = 0;
    state.epoch_loss = 0;
    state.epoch_correct = state.epoch_images = 0;
    state.epoch_seconds = 0;
    if ((epoch + 1) % checkpoint_interval == 0 || epoch + 1 == epochs) {
      ++state.epoch;  // the checkpoint resumes at the next epoch
      checkpoint();
      --state.epoch;
    }
  }

  // The final figures on the test set, with the last weights (the best ones are in best.safetensors).
  ClassificationMetrics test = evaluate(*model, data.test, config);
  log.write(metrics_record("test", epochs, state.global_step, test, eval_metrics));
  if (listed(eval_metrics, "confusion")) write_confusion(paths, test, data.test.class_names, "test");
  write_curves(paths);
  result.test_top1 = test.top1();
  result.test_top5 = test.topk(5);
  result.best_val_top1 = state.best_top1;
  result.epochs = epochs;
  result.seconds_per_epoch = mean_epoch_seconds(paths);
  const json summary{{"test_top1", result.test_top1}, {"test_top5", result.test_top5}, {"test_loss", test.mean_loss()},
                     {"best_val_top1", result.best_val_top1}, {"best_epoch", state.best_epoch}, {"parameters", result.parameters},
                     {"epochs", epochs}, {"seconds_per_epoch", result.seconds_per_epoch}, {"backend", backend},
                     {"threads", num_threads()}};
  write_file_atomically(paths.result(), summary.dump(2) + "\n");
  fmt::print("test: loss {:.4f} top-1 {:.2f}% top-5 {:.2f}% ({} images); run directory {}\n", test.mean_loss(), 100 * test.top1(),
             100 * test.topk(5), test.count(), paths.dir);
  return result;
}

}  // namespace gaze
