#include "trainers/app/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "autograd/ops.h"
#include "framework/backend_registry.h"
#include "backends/threads.h"
#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/data/loader.h"
#include "trainers/lib/optim/clip_grad.h"
#include "trainers/plot/plot.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/console_log.h"
#include "trainers/tasks/task.h"
#include "trainers/tasks/from_config.h"
#include "trainers/app/interrupt.h"
#include "trainers/app/progress.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/run_lock.h"

namespace gaze {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int64_t count_parameters(const Module& model) {
  int64_t n = 0;
  for (const auto& [_, p] : model.named_parameters()) n += p.numel();
  return n;
}

// An evaluation record: the split, where the run stands, and the task's metrics.
json metrics_record(Split split, int64_t epoch, int64_t step, const Evaluation& e) {
  json record{{"type", "eval"}, {"split", split_name(split)}, {"epoch", epoch}, {"global_step", step}};
  record.update(e.metrics);
  return record;
}

// curves.png from the metrics log: loss, learning rate, training accuracy and the validation score
// over steps.
void write_curves(const RunPaths& paths, const std::string& score) {
  Series train_loss{"train", {}, {}}, val_loss{"val", {}, {}}, lr{"lr", {}, {}}, val_score{"val " + score, {}, {}},
      train_accuracy{"train accuracy", {}, {}};
  int64_t steps_at_epoch_end = 0;
  for (const json& r : read_metrics(paths.metrics())) {
    const std::string type = r.value("type", "");
    const double step = r.value("global_step", 0.0);
    if (type == "train") {
      train_loss.x.push_back(step), train_loss.y.push_back(r.at("loss"));
      lr.x.push_back(step), lr.y.push_back(r.at("lr"));
    } else if (type == "epoch") {
      steps_at_epoch_end = r.value("global_step", steps_at_epoch_end);
      if (r.contains("train_accuracy")) train_accuracy.x.push_back(step), train_accuracy.y.push_back(r.at("train_accuracy"));
    } else if (type == "eval" && r.value("split", "") == "val") {
      val_loss.x.push_back(step), val_loss.y.push_back(r.at("loss"));
      if (r.contains(score)) val_score.x.push_back(step), val_score.y.push_back(r.at(score));
    }
  }
  write_line_charts_png(paths.curves(), {Panel{"loss", "step", {train_loss, val_loss}, true},
                                         Panel{"learning rate", "step", {lr}, false},
                                         Panel{"accuracy", "step", {train_accuracy, val_score}, false}});
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

// Where a resumed run starts: the checkpoint directory `resume` stands for, or "" for `auto` on a
// run that has none yet (never started, or stopped before its first checkpoint): it starts from
// the beginning, since nothing of it could be kept.
std::string checkpoint_to_resume(const std::string& resume, const RunPaths& paths) {
  if (resume == "auto") return latest_checkpoint(paths.checkpoints());
  std::error_code ec;
  if (fs::is_directory(fs::path(resume) / "checkpoints", ec)) {
    const std::string latest = latest_checkpoint((fs::path(resume) / "checkpoints").string());
    if (latest.empty()) fail("--resume {}: this run directory holds no checkpoint", resume);
    return latest;
  }
  return resume;
}

// Whether the run directory holds (part of) a run: a metrics log or a checkpoint.
bool holds_run(const RunPaths& paths) {
  std::error_code ec;
  return fs::exists(paths.metrics(), ec) || !latest_checkpoint(paths.checkpoints()).empty();
}

void refuse_existing_run(const RunPaths& paths) {
  if (latest_checkpoint(paths.checkpoints()).empty())
    fail("run directory {} holds a run that stopped before its first checkpoint: start it again from the beginning with "
         "--resume auto, or start another with --set log.name=NAME",
         paths.dir);
  fail("run directory {} already holds a run: continue it with --resume auto, or start another with --set log.name=NAME "
       "(or remove the directory)",
       paths.dir);
}

// The command that continues an interrupted run: the one that started it, with --resume auto in
// place of --resume/--weights (a continued run brings its own weights).
std::string continue_command(const TrainOptions& options) {
  std::vector<std::string> words;
  std::string word;
  for (std::istringstream in(options.command_line); in >> word;) words.push_back(word);
  const bool is_train = std::find(words.begin(), words.end(), "train") != words.end();
  if (!is_train) return options.command_line.empty() ? fmt::format("gaze train {} --resume auto", options.config_path) : options.command_line;
  std::vector<std::string> kept;
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i] == "--resume" || words[i] == "--weights") {
      ++i;
      continue;
    }
    if (words[i].rfind("--resume=", 0) == 0 || words[i].rfind("--weights=", 0) == 0) continue;
    kept.push_back(words[i]);
  }
  kept.push_back("--resume");
  kept.push_back("auto");
  return fmt::format("{}", fmt::join(kept, " "));
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

namespace {

TrainResult train_run(const Config& config, const TrainOptions& options, bool& started) {
  if (!options.resume.empty() && !options.weights.empty())
    fail("--resume and --weights are exclusive: resume continues a run with its own weights; --weights starts a new run from given weights");
  const RunPaths paths = run_paths(config, options.config_path);
  std::error_code ec;
  if (options.resume.empty() && holds_run(paths)) refuse_existing_run(paths);
  if (!options.resume.empty()) check_same_run(config, paths);

  // Everything that can fail on bad input happens before the run directory is touched.
  const std::unique_ptr<Task> task = make_task(config);
  manual_seed(static_cast<uint64_t>(config.integer("train.seed")));
  const Device device = parse_device(config.text("train.device"));
  std::shared_ptr<Module> model = task->build_model();
  std::unique_ptr<Optimizer> optimizer = build_optimizer(config, model->parameters());
  const Schedule schedule = build_schedule(config);
  if (!options.weights.empty()) load_weights(options.weights, *model);

  TrainerState state;
  std::string resumed_from;
  if (!options.resume.empty()) resumed_from = checkpoint_to_resume(options.resume, paths);
  if (!resumed_from.empty()) {
    state = load_checkpoint(resumed_from, *model, *optimizer);
    default_generator().set_state(state.rng_state);
  } else if (!options.resume.empty()) {
    fmt::print("--resume auto: {} holds no checkpoint yet; starting the run from the beginning\n", paths.dir);
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
  // What runs the kernels: on a GPU every op goes to `cuda`, whichever CPU backend is selected.
  const std::string backend = device.is_cpu() ? cpu_backend().name() : "cuda";

  LoaderOptions loader_options{.batch_size = batch_size, .shuffle = true, .drop_last = true, .augment = true, .transforms = {},
                               .seed = seed, .prefetch = config.integer("data.prefetch"), .order = task->train_order(seed)};
  DataLoader loader(task->train_set(), loader_options);
  const int64_t steps_per_epoch = loader.batches_per_epoch();
  if (steps_per_epoch == 0)
    fail("{}: data.batch_size ({}) is larger than the training set ({} examples): no full batch to train on",
         config.where("data.batch_size"), batch_size, task->train_set().size());

  if (const int signal = interrupt_signal())
    throw Interrupted(signal, fmt::format("interrupted (signal {}) before the run started; nothing was written", signal));

  // The input is valid: the run starts. From here on a failure is the run's (exit status 1), and
  // this process holds the run directory's lock until it returns.
  started = true;
  const RunLock lock = lock_run_directory(paths.dir, options.command_line);
  if (options.resume.empty() && holds_run(paths)) refuse_existing_run(paths);  // another process got here first
  // A new directory that cannot be set up is removed again: no half-made run is left behind.
  struct RemoveUnlessKept {
    const RunLock& lock;
    bool keep = false;
    ~RemoveUnlessKept() {
      std::error_code ignored;
      if (lock.created() && !keep) fs::remove_all(lock.dir(), ignored);
    }
  } setup{lock};
  fs::create_directories(paths.checkpoints(), ec);
  if (ec) fail("cannot create run directory {}: {}", paths.dir, ec.message());
  write_file_atomically(paths.config(), config.to_yaml());
  json manifest = environment_manifest(options.config_path, options.command_line);
  manifest["parameters"] = count_parameters(*model);
  manifest["task"] = task->name();
  manifest["train_examples"] = task->train_set().size();
  manifest["val_examples"] = task->val_size();
  manifest["test_examples"] = task->test_size();
  if (!resumed_from.empty()) manifest["resumed_from"] = resumed_from;
  write_file_atomically(resumed_from.empty() ? paths.manifest() : paths.dir + "/manifest-resume-" + std::to_string(state.global_step) + ".json",
                        manifest.dump(2) + "\n");
  MetricsLog log(paths.metrics(), resumed_from.empty() ? -1 : state.metrics_bytes);
  setup.keep = true;

  ConsoleLog console(paths.train_log());
  console.line("run {}: {} task, {} parameters, {} train / {} val / {} test examples, {} steps per epoch, backend {}, {} threads{}",
               paths.dir, task->name(), count_parameters(*model), task->train_set().size(), task->val_size(), task->test_size(),
               steps_per_epoch, backend, num_threads(), resumed_from.empty() ? "" : fmt::format(", resumed from {}", resumed_from));
  RunPace pace{.steps_per_epoch = steps_per_epoch, .epochs = epochs, .eval_interval = eval_interval};
  double interval_seconds = 0;  // training + data wait since the last log line: the pace and throughput
  int64_t interval_examples = 0, interval_timed_steps = 0;  // (a resumed interval's first steps were not timed here)

  int64_t checkpointed_step = -1;
  std::string last_checkpoint;
  auto checkpoint = [&] {
    state.rng_state = default_generator().state();
    state.metrics_bytes = log.bytes();
    last_checkpoint = save_checkpoint(paths.checkpoints(), *model, *optimizer, state, keep);
    checkpointed_step = state.global_step;
  };
  // After a SIGINT or SIGTERM, between steps: save where the run stands (unless that checkpoint
  // was just written) and stop.
  auto stop_if_interrupted = [&] {
    const int signal = interrupt_signal();
    if (signal == 0) return;
    if (checkpointed_step != state.global_step) checkpoint();
    throw Interrupted(signal, fmt::format("interrupted by {} at epoch {} step {}: wrote {}; continue the run with:\n  {}",
                                          signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal", state.epoch + 1,
                                          state.step_in_epoch, last_checkpoint, continue_command(options)));
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
      const StepOutput out = task->train_step(*model, batch);
      const Tensor& loss = out.loss;
      optimizer->zero_grad();
      loss.backward();
      const double loss_value = loss.item();
      if (!std::isfinite(loss_value))
        fail("epoch {} step {}: the loss is {} — lower optim.lr, set optim.grad_clip, or check the data", epoch + 1,
             state.step_in_epoch + 1, loss_value);
      if (grad_clip > 0) clip_grad_norm(model->parameters(), grad_clip);
      optimizer->step();
      const int64_t examples = batch.labels.size(0);
      const double step_seconds = seconds_since(step_start);
      state.epoch_seconds += step_seconds + batch.wait_seconds;
      state.epoch_loss += loss_value * examples;
      state.epoch_examples += examples;
      state.epoch_correct += out.correct;
      state.epoch_counted += out.counted;
      state.interval_loss += loss_value;
      state.interval_steps += 1;
      interval_seconds += step_seconds + batch.wait_seconds;
      interval_examples += examples;
      interval_timed_steps += 1;
      state.step_in_epoch += 1;
      state.global_step += 1;
      bar.update(state.step_in_epoch, fmt::format("loss {:.4f}", loss_value));
      if (state.global_step % log_interval == 0) {
        const double mean_loss = state.interval_loss / state.interval_steps;
        json record{{"type", "train"}, {"epoch", epoch + 1}, {"step", state.step_in_epoch}, {"global_step", state.global_step},
                    {"loss", mean_loss}, {"lr", lr}, {"step_ms", 1e3 * step_seconds}, {"data_ms", 1e3 * batch.wait_seconds},
                    {"examples_per_s", examples / std::max(step_seconds + batch.wait_seconds, 1e-9)}};
        std::string terms;
        for (const auto& [name, value] : out.terms) record[name] = value, terms += fmt::format(" {} {:.4f}", name, value);
        log.write(record);
        bar.clear();
        pace.seconds_per_step = interval_seconds / static_cast<double>(interval_timed_steps);
        console.line("epoch {}/{} step {}/{} loss {:.4f}{} lr {:.5f} step {:.1f} ms data {:.2f} ms {:.0f} samples/s ETA epoch {} run {} "
                     "backend {}",
                     epoch + 1, epochs, state.step_in_epoch, steps_per_epoch, mean_loss, terms, lr, 1e3 * step_seconds,
                     1e3 * batch.wait_seconds, interval_examples / std::max(interval_seconds, 1e-9),
                     format_duration(pace.epoch_eta(state.step_in_epoch)), format_duration(pace.run_eta(epoch, state.step_in_epoch)),
                     backend);
        interval_seconds = 0;
        interval_examples = interval_timed_steps = 0;
        state.interval_loss = 0;
        state.interval_steps = 0;
      }
      if (checkpoint_steps > 0 && state.global_step % checkpoint_steps == 0) checkpoint();
      stop_if_interrupted();
    }
    bar.finish();

    // The epoch is done: its summary, the evaluation, the best weights, the epoch checkpoint.
    const double train_loss = state.epoch_examples ? state.epoch_loss / state.epoch_examples : 0.0;
    json epoch_record{{"type", "epoch"}, {"epoch", epoch + 1}, {"global_step", state.global_step}, {"train_loss", train_loss},
                      {"epoch_seconds", state.epoch_seconds}};
    std::string line = fmt::format("epoch {}/{} done in {}: train loss {:.4f}", epoch + 1, epochs, format_duration(state.epoch_seconds),
                                   train_loss);
    if (state.epoch_counted > 0) {
      const double accuracy = static_cast<double>(state.epoch_correct) / state.epoch_counted;
      epoch_record["train_accuracy"] = accuracy;
      line += fmt::format(" accuracy {:.2f}%", 100 * accuracy);
    }
    log.write(epoch_record);
    if (((epoch + 1) % eval_interval == 0 || epoch + 1 == epochs) && task->val_size() > 0) {
      const auto eval_start = Clock::now();
      const Evaluation val = task->evaluate(*model, Split::val, paths.dir);
      pace.seconds_per_eval = seconds_since(eval_start);
      log.write(metrics_record(Split::val, epoch + 1, state.global_step, val));
      line += ", val " + val.summary;
      if (val.score > state.best_score) {
        state.best_score = val.score;
        state.best_epoch = epoch + 1;
        save_weights(paths.best_weights(), *model, {{"format", "pt"}, {"epoch", std::to_string(epoch + 1)},
                                                    {"val_" + task->score_name(), fmt::format("{}", val.score)}});
        line += " (best)";
      }
    }
    console.line(line);
    write_curves(paths, task->score_name());
    state.step_in_epoch = 0;
    state.epoch_loss = 0;
    state.epoch_examples = state.epoch_correct = state.epoch_counted = 0;
    state.epoch_seconds = 0;
    const bool interrupted = interrupt_signal() != 0;
    if ((epoch + 1) % checkpoint_interval == 0 || epoch + 1 == epochs || interrupted) {
      ++state.epoch;  // the checkpoint resumes at the next epoch
      checkpoint();
      if (interrupted) stop_if_interrupted();
      --state.epoch;
    }
  }

  // The final figures on the test set, with the last weights (the best ones are in best.safetensors).
  const Evaluation test = task->evaluate(*model, Split::test, paths.dir);
  log.write(metrics_record(Split::test, epochs, state.global_step, test));
  write_curves(paths, task->score_name());
  result.test = test.metrics;
  result.test_score = test.score;
  result.best_val_score = state.best_score;
  result.epochs = epochs;
  result.seconds_per_epoch = mean_epoch_seconds(paths);
  json table = json::array();
  for (const TableColumn& c : task->table_columns()) {
    if (!test.metrics.contains(c.metric)) continue;  // not among eval.metrics
    const double value = c.scale * test.metrics.at(c.metric).get<double>();
    table.push_back({{"title", c.title}, {"value", c.as_error ? c.scale - value : value}});
  }
  const json summary{{"task", task->name()}, {"model", task->model_summary()}, {"test", test.metrics}, {"score_name", task->score_name()},
                     {"test_score", test.score}, {"best_val_score", result.best_val_score}, {"best_epoch", state.best_epoch},
                     {"parameters", result.parameters}, {"epochs", epochs}, {"seconds_per_epoch", result.seconds_per_epoch},
                     {"table", table}, {"backend", backend}, {"threads", num_threads()}};
  write_file_atomically(paths.result(), summary.dump(2) + "\n");
  console.line("test: {} ({} examples); run directory {}", test.summary, task->test_size(), paths.dir);
  return result;
}

}  // namespace

TrainResult train(const Config& config, const TrainOptions& options) {
  InterruptGuard interrupts;  // the first SIGINT/SIGTERM stops the run after its step, with a checkpoint
  bool started = false;
  try {
    return train_run(config, options, started);
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    // Everything before the run starts checks the input: the config's values against the data
    // and the model, the data files, the checkpoint. Its errors are the input's (exit status 2).
    if (!started) throw InputError(e.what());
    throw;
  }
}

}  // namespace gaze
