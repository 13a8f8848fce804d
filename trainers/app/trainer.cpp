#include "trainers/app/trainer.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

#include "autograd/ops.h"
#include "framework/backend_registry.h"
#include "framework/device_memory.h"
#include "backends/threads.h"
#include "framework/error.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/console_log.h"
#include "trainers/app/hooks/standard_hooks.h"
#include "trainers/app/interrupt.h"
#include "trainers/app/job_abort.h"
#include "trainers/app/optimizer_from_config.h"
#include "trainers/app/resume.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/run_lock.h"
#include "trainers/lib/data/loader.h"
#include "trainers/lib/distributed/communicator.h"
#include "trainers/lib/distributed/cross_rank_ops.h"
#include "trainers/lib/distributed/data_parallel.h"
#include "trainers/lib/distributed/rank_environment.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/optim/clip_grad.h"
#include "trainers/tasks/task.h"

namespace gaze {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

namespace {

int64_t count_parameters(const Module& model) {
  int64_t n = 0;
  for (const auto& [_, p] : model.named_parameters()) n += p.numel();
  return n;
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

// Fills a run directory that `lock` holds: checkpoints/, config.yaml, the manifest (a resumed
// run's beside the first) and the metrics log, cut back to the checkpoint's length when resuming.
// A new directory that cannot be set up is removed again: no half-made run is left behind.
std::unique_ptr<MetricsLog> set_up_run_directory(const RunLock& lock, const RunPaths& paths, const Config& config,
                                                 const TrainOptions& options, const Task& task, const Module& model,
                                                 const std::string& resumed_from, const TrainerState& state) {
  struct RemoveUnlessKept {
    const RunLock& lock;
    bool keep = false;
    ~RemoveUnlessKept() {
      std::error_code ignored;
      if (lock.created() && !keep) fs::remove_all(lock.dir(), ignored);
    }
  } setup{lock};
  std::error_code ec;
  fs::create_directories(paths.checkpoints(), ec);
  if (ec) fail("cannot create run directory {}: {}", paths.dir, ec.message());
  write_file_atomically(paths.config(), config.to_yaml());
  json manifest = environment_manifest(options.config_path, options.command_line);
  manifest["parameters"] = count_parameters(model);
  manifest["task"] = task.name();
  manifest["train_examples"] = task.train_set().size();
  manifest["val_examples"] = task.val_size();
  manifest["test_examples"] = task.test_size();
  if (!resumed_from.empty()) manifest["resumed_from"] = resumed_from;
  write_file_atomically(resumed_from.empty() ? paths.manifest() : paths.dir + "/manifest-resume-" + std::to_string(state.global_step) + ".json",
                        manifest.dump(2) + "\n");
  auto log = std::make_unique<MetricsLog>(paths.metrics(), resumed_from.empty() ? -1 : state.metrics_bytes);
  setup.keep = true;
  return log;
}

// One optimizer step on `batch` (its learning rate already set), counted in the state.
// Data-parallel: the step's loss, its terms and counts summed over the ranks, so that rank 0's log
// and epoch sums are the global batch's (the shards are equally long, so the mean of the ranks'
// mean losses is the global batch's mean loss).
void reduce_step_report(Communicator& communicator, StepReport& step) {
  std::vector<double> values{step.loss, static_cast<double>(step.output.correct), static_cast<double>(step.output.counted),
                             static_cast<double>(step.examples)};
  for (const auto& term : step.output.terms) values.push_back(term.second);
  communicator.allreduce(values.data(), static_cast<int64_t>(values.size()), DType::f64, ReduceOp::sum);
  const double ranks = communicator.size();
  step.loss = values[0] / ranks;
  step.output.correct = static_cast<int64_t>(values[1]);
  step.output.counted = static_cast<int64_t>(values[2]);
  step.examples = static_cast<int64_t>(values[3]);
  for (size_t i = 0; i < step.output.terms.size(); ++i) step.output.terms[i].second = values[4 + i] / ranks;
}

StepReport take_step(TrainingRun& run, Batch& batch, Device device, double grad_clip, DataParallel* data_parallel) {
  const auto start = Clock::now();
  TrainerState& s = run.state;
  if (device != Device::cpu()) batch.images = batch.images.to(device), batch.labels = batch.labels.to(device);
  StepReport step{.output = run.task.train_step(run.model, batch), .lr = run.optimizer.lr(), .wait_seconds = batch.wait_seconds,
                  .examples = batch.labels.size(0)};
  run.optimizer.zero_grad();
  step.output.loss.backward();
  step.loss = step.output.loss.item();
  if (data_parallel) {
    data_parallel->finish_gradients();
    reduce_step_report(world(), step);
  }
  if (!std::isfinite(step.loss))
    fail("epoch {} step {}: the loss is {} — lower optim.lr, set optim.grad_clip, or check the data", s.epoch + 1, s.step_in_epoch + 1,
         step.loss);
  if (grad_clip > 0) clip_grad_norm(run.model.parameters(), grad_clip);
  run.optimizer.step();
  step.step_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  s.epoch_seconds += step.step_seconds + step.wait_seconds;
  s.epoch_loss += step.loss * step.examples;
  s.epoch_examples += step.examples;
  s.epoch_correct += step.output.correct;
  s.epoch_counted += step.output.counted;
  s.step_in_epoch += 1;
  s.global_step += 1;
  return step;
}

// Closes the epoch in progress: its sums go to the report, and the state moves to the start of
// the next epoch.
EpochReport close_epoch(TrainerState& s) {
  EpochReport epoch{.epoch = s.epoch + 1, .train_loss = s.epoch_examples ? s.epoch_loss / s.epoch_examples : 0.0,
                    .seconds = s.epoch_seconds, .correct = s.epoch_correct, .counted = s.epoch_counted, .line = {}};
  s.epoch += 1;
  s.step_in_epoch = 0;
  s.epoch_loss = 0;
  s.epoch_examples = s.epoch_correct = s.epoch_counted = 0;
  s.epoch_seconds = 0;
  return epoch;
}

// The loop: epochs of steps, the hooks called around them.
RunReport run_epochs(TrainingRun& run, DataLoader& loader, const std::vector<Hook*>& hooks, DataParallel* data_parallel) {
  const Device device = parse_device(run.config.text("train.device"));
  const double grad_clip = run.config.number("optim.grad_clip");
  for (const auto& hook : hooks) hook->before_run(run);
  while (run.state.epoch < run.epochs) {
    run.model.train();
    loader.start_epoch(run.state.epoch, run.state.step_in_epoch);
    for (const auto& hook : hooks) hook->before_epoch(run);
    Batch batch;
    while (loader.next(batch)) {
      for (const auto& hook : hooks) hook->before_step(run);
      const StepReport step = take_step(run, batch, device, grad_clip, data_parallel);
      for (const auto& hook : hooks) hook->after_step(run, step);
    }
    EpochReport epoch = close_epoch(run.state);
    for (const auto& hook : hooks) hook->after_train_epoch(run, epoch);
    for (const auto& hook : hooks) hook->after_epoch(run, epoch);
  }
  RunReport report;
  for (const auto& hook : hooks) hook->after_run(run, report);
  return report;
}

// result.json (written last: its presence means the run finished) and the run's result.
TrainResult finish_run(const TrainingRun& run, const RunReport& report) {
  const Evaluation& test = report.test;
  TrainResult result{.run_dir = run.paths.dir, .parameters = count_parameters(run.model), .test = test.metrics, .test_score = test.score,
                     .best_val_score = run.state.best_score, .seconds_per_epoch = mean_epoch_seconds(run.paths), .epochs = run.epochs};
  json table = json::array();
  for (const TableColumn& c : run.task.table_columns()) {
    if (!test.metrics.contains(c.metric)) continue;  // not among eval.metrics
    const double value = c.scale * test.metrics.at(c.metric).get<double>();
    table.push_back({{"title", c.title}, {"value", c.as_error ? c.scale - value : value}});
  }
  const json summary{{"task", run.task.name()}, {"model", run.task.model_summary()}, {"test", test.metrics},
                     {"score_name", run.task.score_name()}, {"test_score", test.score}, {"best_val_score", result.best_val_score},
                     {"best_epoch", run.state.best_epoch}, {"parameters", result.parameters}, {"epochs", run.epochs},
                     {"seconds_per_epoch", result.seconds_per_epoch}, {"table", table}, {"backend", run.backend},
                     {"threads", num_threads()}};
  write_file_atomically(run.paths.result(), summary.dump(2) + "\n");
  run.console.line("test: {} ({} examples); run directory {}", test.summary, run.task.test_size(), run.paths.dir);
  return result;
}

// The config this rank trains with: the given one, but for a data-parallel run on GPUs, where
// train.device "cuda" becomes the GPU of this rank's local rank (device_for_local_rank). The run
// directory keeps the given config, so a resume under the same mpirun compares like with like.
Config config_for_this_rank(const Config& given, const Communicator& communicator) {
  const std::string device = given.text("train.device");
  if (communicator.size() == 1 || device != "cuda") return given;
  const std::string mine = device_for_local_rank(device, communicator.local_rank(), gpu_memory().device_count());
  if (mine == device) return given;
  Config config = given;
  // Erase and insert: assigning to a YAML::Node would rewrite the node the given config shares.
  config.values.erase("train.device");
  config.values.emplace("train.device", YAML::Node(mine));
  config.origins["train.device"] = fmt::format("{} (cuda: the GPU of local rank {})", given.where("train.device"), communicator.local_rank());
  return config;
}

TrainResult train_run(const Config& given_config, const TrainOptions& options, bool& started) {
  if (!options.resume.empty() && !options.weights.empty())
    fail("--resume and --weights are exclusive: resume continues a run with its own weights; --weights starts a new run from given weights");
  const RunPaths paths = run_paths(given_config, options.config_path);
  // Data-parallel (docs/distributed.md): every rank trains and evaluates its share; rank 0 alone
  // writes the run directory and prints.
  Communicator& communicator = world(given_config.text("train.distributed"));
  const bool writer = communicator.rank() == 0;
  if (writer && options.resume.empty() && holds_run(paths)) refuse_existing_run(paths);
  if (!options.resume.empty()) check_same_run(given_config, paths);
  const Config config = config_for_this_rank(given_config, communicator);

  // Everything that can fail on bad input happens before the run directory is touched.
  const std::unique_ptr<Task> task = make_task(config);
  manual_seed(static_cast<uint64_t>(config.integer("train.seed")));
  const Device device = parse_device(config.text("train.device"));
  std::shared_ptr<Module> model = task->build_model();
  std::unique_ptr<Optimizer> optimizer = build_optimizer(config, model->parameters());
  // The ranks other than 0 follow the schedule and take their share of each evaluation: the log,
  // best weights, pictures and checkpoints are rank 0's, and the collectives of the next step
  // wait for it.
  std::vector<std::unique_ptr<Hook>> standard;
  if (writer) {
    standard = standard_hooks(config, options);
  } else {
    standard.push_back(make_schedule_hook(config));
    standard.push_back(make_evaluation_hook(config));
  }
  std::vector<Hook*> hooks;
  for (const auto& hook : standard) hooks.push_back(hook.get());
  for (const auto& hook : options.hooks) {
    if (!hook) fail("train: TrainOptions::hooks holds a null hook");
    hooks.push_back(hook.get());
  }
  if (!options.weights.empty()) load_weights(options.weights, *model);

  TrainerState state;
  std::string resumed_from;
  if (!options.resume.empty()) resumed_from = checkpoint_to_resume(options.resume, paths);
  if (!resumed_from.empty()) {
    state = load_checkpoint(resumed_from, *model, *optimizer);
    default_generator().set_state(state.rng_state);
  } else if (!options.resume.empty()) {
    if (writer) fmt::print("--resume auto: {} holds no checkpoint yet; starting the run from the beginning\n", paths.dir);
  }
  // Every rank starts from rank 0's weights and buffers (its initialization, or the checkpoint
  // every rank has read). This is a collective, so no rank goes on before all have read the
  // checkpoint, and rank 0 writes nothing before then.
  std::unique_ptr<DataParallel> data_parallel;
  if (communicator.size() > 1) {
    const auto bucket_bytes = static_cast<int64_t>(config.number("train.bucket_mb") * 1024 * 1024);
    // GPU gradients are averaged by NCCL on the GPU when this build has it and every rank has a
    // GPU of its own, else through host copies by Open MPI.
    data_parallel = std::make_unique<DataParallel>(*model, communicator, make_bucket_averager(communicator, device), bucket_bytes);
    data_parallel->broadcast_from_rank0();
    if (config.boolean("train.sync_bn")) synchronize_batch_norms(*model, communicator);
  }

  const uint64_t seed = static_cast<uint64_t>(config.integer("train.seed"));
  const int64_t batch_size = config.integer("data.batch_size");
  // What runs the kernels: on a GPU every op goes to `cuda`, whichever CPU backend is selected.
  const std::string backend = device.is_cpu() ? cpu_backend().name() : "cuda";
  LoaderOptions loader_options{.batch_size = batch_size, .shuffle = true, .drop_last = true, .augment = true, .transforms = {},
                               .seed = seed, .prefetch = config.integer("data.prefetch"), .workers = config.integer("data.workers"),
                               .order = task->train_order(seed),
                               .shard_rank = communicator.rank(), .shard_count = communicator.size()};
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
  std::optional<RunLock> lock;
  std::unique_ptr<MetricsLog> log;
  if (writer) {
    lock.emplace(lock_run_directory(paths.dir, options.command_line));
    if (options.resume.empty() && holds_run(paths)) refuse_existing_run(paths);  // another process got here first
    log = set_up_run_directory(*lock, paths, given_config, options, *task, *model, resumed_from, state);
  } else {
    log = std::make_unique<MetricsLog>("", -1);
  }
  ConsoleLog console(writer ? paths.train_log() : "");
  console.line("run {}: {} task, {} parameters, {} train / {} val / {} test examples, {} steps per epoch, backend {}, {} threads{}{}",
               paths.dir, task->name(), count_parameters(*model), task->train_set().size(), task->val_size(), task->test_size(),
               steps_per_epoch, backend, num_threads(), resumed_from.empty() ? "" : fmt::format(", resumed from {}", resumed_from),
               data_parallel ? fmt::format(", data-parallel: {} (batch {} per rank, {} in all; gradients averaged by {})",
                                           communicator.description(), batch_size, batch_size * communicator.size(),
                                           data_parallel->averager().description())
                                       : "");
  const int64_t epochs = config.integer("train.epochs");
  RunPace pace{.steps_per_epoch = steps_per_epoch, .epochs = epochs, .eval_interval = config.integer("train.eval_interval")};
  TrainingRun run{.config = config, .options = options, .paths = paths, .task = *task, .model = *model, .optimizer = *optimizer,
                  .state = state, .log = *log, .console = console, .pace = pace, .ranks = communicator,
                  .data_parallel = data_parallel.get(), .epochs = epochs, .steps_per_epoch = steps_per_epoch,
                  .batch_size = batch_size, .backend = backend};
  RunReport report;
  try {
    report = run_epochs(run, loader, hooks, data_parallel.get());
  } catch (const std::exception& e) {
    // Abort here, while DataParallel still lives: unwinding would wait for its reductions in
    // flight, which a failed rank's partners may never complete.
    if (communicator.size() > 1) abort_job(e, started);
    throw;
  }
  if (!writer)  // rank 0 alone writes result.json
    return TrainResult{.run_dir = paths.dir, .parameters = count_parameters(*model), .test = {}, .test_score = 0, .best_val_score = -1,
                       .seconds_per_epoch = 0, .epochs = epochs};
  return finish_run(run, report);
}

}  // namespace

TrainResult train(const Config& config, const TrainOptions& options) {
  InterruptGuard interrupts;  // the first SIGINT/SIGTERM stops the run after its step, with a checkpoint
  bool started = false;
  try {
    return train_run(config, options, started);
  } catch (const std::exception& e) {
    // A data-parallel rank that fails takes the job down at once: the others would wait forever
    // in their next collective.
    if (distributed_run()) abort_job(e, started);
    if (dynamic_cast<const InputError*>(&e)) throw;
    // Everything before the run starts checks the input: the config's values against the data
    // and the model, the data files, the checkpoint. Its errors are the input's (exit status 2).
    if (!started && dynamic_cast<const Error*>(&e)) throw InputError(e.what());
    throw;
  }
}

}  // namespace gaze
