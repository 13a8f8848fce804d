// The trainer end to end on a tiny model and a few hundred Fashion-MNIST images: determinism, a
// run killed by SIGKILL and resumed against one that ran through, evaluation, reproduce, and one
// clear message for each kind of bad input.
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/run_program.h"
#include "trainers/app/interrupt.h"
#include "trainers/app/run_lock.h"
#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "support/test_support.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/tasks/task.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/console_log.h"
#include "trainers/tasks/from_config.h"
#include "trainers/app/reproduce.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/hooks/hook.h"
#include "trainers/app/trainer.h"
#include "trainers/app/visualize.h"

using namespace gaze;
using namespace gaze::test;
namespace fs = std::filesystem;

namespace {

// A CBAM ResNet small enough to train in a second: 2 stages of 8 and 16 channels.
std::string tiny_config(const std::string& log_dir, int64_t train_images, int64_t epochs, int64_t every_steps) {
  return fmt::format(R"(model:
  widths: [8, 16]
  strides: [1, 2]
  attention: {{type: cbam, reduction: 4}}
data:
  batch_size: 32
  train_limit: {}
  test_limit: 96
  transforms: [normalize, random_crop, hflip]
optim:
  lr: 0.05
schedule:
  name: cosine
  warmup_epochs: 0.5
train:
  epochs: {}
  log_interval: 2
eval:
  metrics: [top1, top5, confusion]
checkpoint:
  every_steps: {}
  keep: 3
log:
  dir: {}
)",
                     train_images, epochs, every_steps, log_dir);
}

// The metrics log without what depends on the clock.
std::vector<nlohmann::json> timeless_metrics(const std::string& run_dir) {
  std::vector<nlohmann::json> records = read_metrics(run_dir + "/metrics.jsonl");
  for (auto& r : records)
    for (const char* key : {"step_ms", "data_ms", "examples_per_s", "epoch_seconds"}) r.erase(key);
  return records;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

int64_t line_count(const std::string& path) {
  const std::string text = slurp(path);
  return std::count(text.begin(), text.end(), '\n');
}

}  // namespace

TEST_CASE("the same config and seed give the same metrics; another seed gives other losses") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_determinism");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 128, 2, 0));
  const TrainResult a = train(load_config(path, {"log.name=a"}), {.config_path = path, .progress = false});
  const TrainResult b = train(load_config(path, {"log.name=b"}), {.config_path = path, .progress = false});
  const TrainResult c = train(load_config(path, {"log.name=c", "train.seed=1"}), {.config_path = path, .progress = false});
  CHECK(a.parameters == b.parameters);
  CHECK(timeless_metrics(a.run_dir) == timeless_metrics(b.run_dir));
  CHECK(timeless_metrics(a.run_dir) != timeless_metrics(c.run_dir));
  for (const char* file : {"config.yaml", "manifest.json", "metrics.jsonl", "train.log", "best.safetensors", "result.json", "curves.png",
                           "confusion.png"})
    CHECK_MESSAGE(fs::exists(fs::path(a.run_dir) / file), file);
  // The console is kept, log lines with their throughput and ETAs (4 steps an epoch, a line every 2).
  const std::string console = slurp(a.run_dir + "/train.log");
  CHECK(console.find("run " + a.run_dir + ": classification task") == 0);
  CHECK(console.find("epoch 1/2 step 2/4 loss ") != std::string::npos);
  CHECK(console.find(" samples/s ETA epoch ") != std::string::npos);
  CHECK(console.find("epoch 2/2 done in ") != std::string::npos);
  CHECK(console.find("test: loss ") != std::string::npos);
  const auto manifest = nlohmann::json::parse(slurp(a.run_dir + "/manifest.json"));
  CHECK(manifest.at("backend") == fastest_backend());
  CHECK(manifest.at("parameters") == a.parameters);
}

TEST_CASE("a run killed by SIGKILL and resumed writes the same metrics as one that ran through") {
  TempDir dir("trainer_sigkill");
  // 16 steps an epoch, 2 epochs, a checkpoint every 5 steps: the kill lands mid-way through the
  // second epoch (step 20), after the first epoch's checkpoint and a step checkpoint of its own.
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 512, 2, 5));
  const std::string gaze = GAZE_CLI_PATH;
  REQUIRE(run_program({gaze, "train", path, "--set", "log.name=through", "--no-progress"}, dir / "through.log") == 0);

  const pid_t pid = start_program({gaze, "train", path, "--set", "log.name=killed", "--no-progress"}, dir / "killed.log");
  const fs::path awaited = dir.path / "killed" / "checkpoints" / "step-00000020";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (!fs::exists(awaited) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ::kill(pid, SIGKILL);
  const int killed_status = wait_program(pid);
  REQUIRE_MESSAGE(killed_status == 128 + SIGKILL, "the run ended before it could be killed: ", slurp(dir / "killed.log"));
  CHECK_FALSE(fs::exists(dir.path / "killed" / "result.json"));

  REQUIRE_MESSAGE(run_program({gaze, "train", path, "--set", "log.name=killed", "--resume", "auto", "--no-progress"}, dir / "resumed.log") == 0,
                  slurp(dir / "resumed.log"));
  CHECK(slurp(dir / "resumed.log").find("resumed from") != std::string::npos);
  const auto through = timeless_metrics(dir / "through");
  const auto resumed = timeless_metrics(dir / "killed");
  REQUIRE(through.size() == resumed.size());
  for (size_t i = 0; i < through.size(); ++i) CHECK_MESSAGE(through[i] == resumed[i], "record ", i, ": ", through[i].dump(), " vs ", resumed[i].dump());
  const auto r1 = nlohmann::json::parse(slurp(dir / "through/result.json"));
  const auto r2 = nlohmann::json::parse(slurp(dir / "killed/result.json"));
  CHECK(r1.at("test").at("top1") == r2.at("test").at("top1"));
}

TEST_CASE("evaluating a run's last checkpoint gives the run's test accuracy; visualize draws the spatial maps") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_eval");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 128, 1, 0));
  const Config config = load_config(path);
  const TrainResult result = train(config, {.config_path = path, .progress = false});
  const auto task = make_task(config);
  std::shared_ptr<Module> model = task->build_model();
  load_weights(latest_checkpoint(result.run_dir + "/checkpoints"), *model);
  const std::unique_ptr<Communicator> one_process = make_single_process_communicator();
  CHECK(task->evaluate(*model, Split::test, "", *one_process).metrics.at("top1").get<double>() ==
        doctest::Approx(result.test.at("top1").get<double>()).epsilon(1e-12));
  CHECK(result.test_score == result.test.at("top1").get<double>());

  const AttentionPictures pictures = write_attention_pictures(*model, task->test_set(), 2, dir / "maps");
  // Per image: the input and the spatial gate of each of the 2 CBAMs; the channel gates are skipped.
  CHECK(pictures.written.size() == 2 * 3);
  CHECK(pictures.skipped.size() == 2);
  for (const auto& file : pictures.written) CHECK_MESSAGE(fs::file_size(file) > 100, file);
}

TEST_CASE("reproduce trains every config with every seed, reuses finished runs and writes the table") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_reproduce");
  const std::string configs = (dir.path / "configs").string();
  std::string plain = tiny_config(dir.path.string() + "/runs", 64, 1, 0);
  plain.replace(plain.find("attention: {type: cbam, reduction: 4}"), 37, "attention: {}");
  dir.write("configs/a_plain.yaml", plain);
  dir.write("configs/b_cbam.yaml", tiny_config(dir.path.string() + "/runs", 64, 1, 0));
  ReproduceOptions options{.dir = configs, .seeds = 2, .progress = false};
  const auto rows = reproduce(options);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].config == "a_plain");
  CHECK(rows[0].model == "none");
  CHECK(rows[1].model == "cbam (residual)");
  CHECK(rows[0].parameters < rows[1].parameters);
  REQUIRE(rows[1].titles == std::vector<std::string>{"top-1 error (%)"});
  CHECK(rows[1].column("top-1 error (%)").size() == 2);
  CHECK(fs::exists(dir.path / "runs" / "b_cbam-seed1" / "result.json"));
  const std::string table = slurp(dir / "runs/results.md");
  CHECK(table.find("| b_cbam | cbam (residual) |") != std::string::npos);
  CHECK(slurp(dir / "runs/results.csv").find("a_plain,\"none\"") != std::string::npos);
  // A second reproduce reads the finished runs: the same numbers, no training.
  const auto again = reproduce(options);
  CHECK(again[1].values == rows[1].values);
  CHECK(again[1].seconds_per_epoch == rows[1].seconds_per_epoch);
}

TEST_CASE("eval.flip: each test image is classified by the mean of its own and its mirror's logits") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_eval_flip");
  // Trained enough that its logits are far from uniform, so a mirror changes them.
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 256, 2, 0));
  const TrainResult result = train(load_config(path), {.config_path = path, .progress = false});
  const Config flipped = load_config(path, {"eval.flip=true"});
  const auto task = make_task(flipped);
  std::shared_ptr<Module> model = task->build_model();
  load_weights(latest_checkpoint(result.run_dir + "/checkpoints"), *model);
  model->eval();
  const std::unique_ptr<Communicator> one_process = make_single_process_communicator();
  const nlohmann::json got = task->evaluate(*model, Split::test, "", *one_process).metrics;

  // The same by hand, the whole test set in one batch.
  const ExampleSource& test = task->test_set();
  Shape input_shape = test.input_shape();
  input_shape.insert(input_shape.begin(), test.size());
  std::vector<float> inputs(static_cast<size_t>(numel(input_shape)));
  std::vector<int64_t> labels(static_cast<size_t>(test.size()));
  const int64_t per_image = numel(test.input_shape());
  for (int64_t i = 0; i < test.size(); ++i) test.example(i, nullptr, inputs.data() + i * per_image, &labels[static_cast<size_t>(i)]);
  NoGradGuard no_grad;
  const Tensor x = from_vector(inputs, input_shape), y = from_vector(labels, {test.size()});
  const Tensor plain = model->forward(x), mirrored = model->forward(flip(x, -1));
  const Tensor mean_logits = (plain + mirrored) * 0.5;
  CHECK(got.at("loss").get<double>() == doctest::Approx(cross_entropy(mean_logits, y).item()).epsilon(1e-5));
  CHECK(got.at("top1").get<double>() == doctest::Approx(sum(eq(argmax(mean_logits, 1), y)).item() / static_cast<double>(test.size())));
  // Without the key the evaluation is the plain logits'; the mirror's logits differ from them by
  // far more than the tolerances above.
  CHECK(result.test.at("loss").get<double>() == doctest::Approx(cross_entropy(plain, y).item()).epsilon(1e-5));
  CHECK(max(abs(mirrored - plain)).item() > 1e-2);
}

TEST_CASE("eval.metrics decides what the evaluation records hold and whether confusion.png is drawn") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_eval_metrics");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 64, 1, 0));
  const TrainResult result = train(load_config(path, {"eval.metrics=[top1]"}), {.config_path = path, .progress = false});
  CHECK_FALSE(fs::exists(fs::path(result.run_dir) / "confusion.png"));
  int evals = 0;
  for (const auto& r : read_metrics(result.run_dir + "/metrics.jsonl")) {
    if (r.at("type") != "eval") continue;
    ++evals;
    CHECK(r.contains("top1"));
    CHECK_FALSE(r.contains("top5"));
  }
  CHECK(evals == 2);  // val after the epoch, test at the end
}

TEST_CASE("the ETAs count the epoch's remaining steps, the later epochs' and the evaluations still to come") {
  RunPace pace{.steps_per_epoch = 10, .epochs = 3, .eval_interval = 2, .seconds_per_step = 0.5, .seconds_per_eval = 4};
  CHECK(pace.epoch_eta(4) == doctest::Approx(3.0));
  // In epoch 1 of 3 (0-based 0), 4 steps done: 6 + 20 steps left; evaluations after epochs 2 and 3, then the test.
  CHECK(pace.run_eta(0, 4) == doctest::Approx(0.5 * 26 + 4 * 3));
  // In the last epoch: its steps, the last validation and the test.
  CHECK(pace.run_eta(2, 10) == doctest::Approx(4 * 2));
}

TEST_CASE("mean_std is the mean and the sample standard deviation") {
  const auto [mean, sd] = mean_std({1.0, 2.0, 3.0, 4.0});
  CHECK(mean == doctest::Approx(2.5));
  CHECK(sd == doctest::Approx(1.2909944487358056));
  CHECK(mean_std({5.0}).second == 0.0);
}

TEST_CASE("bad input to a run is one clear message and leaves existing runs intact") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_bad_input");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 64, 2, 1));
  const Config config = load_config(path);
  const TrainOptions fresh{.config_path = path, .progress = false};

  CHECK_THROWS_WITH_AS(train(config, {.config_path = path, .resume = "auto", .weights = "x.safetensors"}),
                       doctest::Contains("--resume and --weights are exclusive"), Error);
  CHECK_THROWS_WITH_AS(train(load_config(path, {"data.root=/nonexistent"}), fresh), doctest::Contains("/nonexistent"), Error);
  CHECK_THROWS_WITH_AS(train(load_config(path, {"data.batch_size=1000"}), fresh), doctest::Contains("larger than the training set"), Error);
  CHECK_FALSE(fs::exists(dir.path / "tiny"));  // nothing was started, so no run directory

  train(config, fresh);  // 2 epochs of 2 steps, a checkpoint every step, 3 kept
  CHECK_THROWS_WITH_AS(train(config, fresh), doctest::Contains("already holds a run: continue it with --resume auto"), Error);
  CHECK_THROWS_WITH_AS(train(load_config(path, {"optim.lr=0.2"}), {.config_path = path, .resume = "auto", .progress = false}),
                       doctest::Contains("optim.lr"), Error);

  // The newest checkpoint cut short: resuming names it; the earlier ones are still there.
  const std::string latest = latest_checkpoint(dir / "tiny/checkpoints");
  REQUIRE(fs::path(latest).filename() == "step-00000004");
  fs::resize_file(fs::path(latest) / "model.safetensors", fs::file_size(fs::path(latest) / "model.safetensors") / 2);
  CHECK_THROWS_WITH_AS(train(config, {.config_path = path, .resume = "auto", .progress = false}),
                       doctest::Contains("step-00000004/model.safetensors is corrupt"), Error);
  CHECK(fs::exists(dir.path / "tiny/checkpoints/step-00000003/model.safetensors"));
  // Resuming from the earlier checkpoint by path finishes the run.
  const TrainResult resumed = train(config, {.config_path = path, .resume = dir / "tiny/checkpoints/step-00000003", .progress = false});
  CHECK(resumed.test.at("top1").get<double>() > 0);

  // Weights of another model are refused by name.
  std::shared_ptr<Module> other = make_task(load_config(path, {"model.widths=[8, 32]"}))->build_model();
  CHECK_THROWS_WITH_AS(load_weights(dir / "tiny/best.safetensors", *other), doctest::Contains("do not fit the model"), Error);
}

TEST_CASE("gaze train: a config that does not validate is exit status 2, one line, and no run directory") {
  TempDir dir("trainer_cli_bad");
  const std::string bad = dir.write("bad.yaml", "optim:\n  lr_decay: 0.1\nlog:\n  dir: " + dir.path.string() + "\n");
  CHECK(run_program({GAZE_CLI_PATH, "train", bad}, dir / "bad.log") == 2);
  const std::string message = slurp(dir / "bad.log");
  CHECK(message.find("bad.yaml:2:3: unknown key 'optim.lr_decay'") != std::string::npos);
  CHECK(std::count(message.begin(), message.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(dir.path / "bad"));
  CHECK(run_program({GAZE_CLI_PATH, "train", dir / "missing.yaml"}, dir / "missing.log") == 2);
  CHECK(slurp(dir / "missing.log").find("missing.yaml") != std::string::npos);
}

TEST_CASE("exit status: 2 for every error in the input (also those found while the run starts), 1 for a run that failed") {
  TempDir dir("trainer_cli_status");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 64, 1, 0));
  const std::string reid = GAZE_SOURCE_DIR "/configs/reid/c3d.yaml";
  struct Case {
    std::string config, set, message;
  };
  // Each is found after the config loaded, against the dataset or the model.
  const std::vector<Case> cases{
      {path, "model.attention={type: cbam, spatial_kernel: 4}", "kernel must be odd"},  // a layer option out of range
      {path, "model.num_classes=5", "--set model.num_classes=5: model.num_classes is 5 but"},
      {reid, "data.batch_size=6", "--set data.batch_size=6: data.batch_size 6 must be a multiple of data.instances 4"},
      {path, "eval.metrics=[miou]", "--set eval.metrics=[miou]: eval.metrics lists 'miou', which the classification task does not compute"},
  };
  for (const Case& c : cases) {
    INFO(c.set);
    const std::string log = dir / "case.log";
    CHECK(run_program({GAZE_CLI_PATH, "train", c.config, "--set", c.set, "--set", "log.dir=" + dir.path.string(), "--no-progress"}, log) == 2);
    CHECK_MESSAGE(slurp(log).find(c.message) != std::string::npos, slurp(log));
    CHECK(line_count(log) == 1);
  }
  CHECK_FALSE(fs::exists(dir.path / "tiny"));
  CHECK_FALSE(fs::exists(dir.path / "c3d"));
  // A bad command line is bad input too (CLI11's own codes would be 105, 106, ...).
  CHECK(run_program({GAZE_CLI_PATH, "train"}, dir / "usage.log") == 2);
  CHECK(run_program({GAZE_CLI_PATH, "train", path, "--threads", "0"}, dir / "usage.log") == 2);
  CHECK(run_program({GAZE_CLI_PATH, "eval", path, "--weights", dir / "none.safetensors"}, dir / "eval.log") == 2);

  // The run directory cannot be made (log.dir runs through a file): the run failed, status 1,
  // and nothing is left behind.
  dir.write("file", "x");
  CHECK(run_program({GAZE_CLI_PATH, "train", path, "--set", "log.dir=" + (dir / "file/runs"), "--no-progress"}, dir / "dir.log") == 1);
  CHECK(slurp(dir / "dir.log").find("cannot create run directory") != std::string::npos);
  CHECK(fs::is_regular_file(dir.path / "file"));
}

TEST_CASE("a run stopped before its first checkpoint starts again from the beginning with --resume auto") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_half_started");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 64, 2, 0));
  const Config config = load_config(path);
  const TrainResult through = train(load_config(path, {"log.name=through"}), {.config_path = path, .progress = false});

  // What a run killed in its first epoch leaves: its config, manifest and a metrics log with a torn line.
  dir.write("tiny/config.yaml", config.to_yaml());
  dir.write("tiny/manifest.json", "{}\n");
  dir.write("tiny/metrics.jsonl", "{\"type\": \"train\", \"epoch\": 1}\n{\"type\": \"tr");
  fs::create_directories(dir.path / "tiny/checkpoints");
  CHECK_THROWS_WITH_AS(train(config, {.config_path = path, .progress = false}),
                       doctest::Contains("holds a run that stopped before its first checkpoint: start it again from the beginning with "
                                         "--resume auto"),
                       InputError);
  const TrainResult again = train(config, {.config_path = path, .resume = "auto", .progress = false});
  CHECK(timeless_metrics(again.run_dir) == timeless_metrics(through.run_dir));
  // --resume auto of a run that was never started starts it.
  const TrainResult fresh = train(load_config(path, {"log.name=new"}), {.config_path = path, .resume = "auto", .progress = false});
  CHECK(timeless_metrics(fresh.run_dir) == timeless_metrics(through.run_dir));
}

TEST_CASE("SIGINT or SIGTERM: the step finishes, a checkpoint is written, exit 130 or 143, and the resumed run matches one that ran through") {
  TempDir dir("trainer_interrupt");
  // 16 steps an epoch, 2 epochs, no step checkpoints: before the first epoch ends the interrupt's
  // checkpoint is the only one (a run stopped that early once could not be resumed).
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 512, 2, 0));
  const std::string gaze = GAZE_CLI_PATH;
  REQUIRE(run_program({gaze, "train", path, "--set", "log.name=through", "--no-progress"}, dir / "through.log") == 0);
  const auto through = timeless_metrics(dir / "through");

  for (const int signal : {SIGINT, SIGTERM}) {
    const std::string name = signal == SIGINT ? "sigint" : "sigterm";
    INFO(name);
    const pid_t pid = start_program({gaze, "train", path, "--set", "log.name=" + name, "--no-progress"}, dir / (name + ".log"));
    // Wait for the second log record (step 4 of the first epoch), then interrupt.
    const std::string metrics = dir / (name + "/metrics.jsonl");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while ((!fs::exists(metrics) || line_count(metrics) < 2) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, signal);
    const int status = wait_program(pid);
    const std::string log = slurp(dir / (name + ".log"));
    REQUIRE_MESSAGE(status == 128 + signal, log);
    CHECK(log.find("interrupted by " + std::string(signal == SIGINT ? "SIGINT" : "SIGTERM")) != std::string::npos);
    CHECK(log.find("--set log.name=" + name + " --no-progress --resume auto") != std::string::npos);
    CHECK_FALSE(latest_checkpoint(dir / (name + "/checkpoints")).empty());
    CHECK_FALSE(fs::exists(dir.path / name / "result.json"));

    REQUIRE_MESSAGE(run_program({gaze, "train", path, "--set", "log.name=" + name, "--no-progress", "--resume", "auto"},
                                dir / (name + "-resumed.log")) == 0,
                    slurp(dir / (name + "-resumed.log")));
    CHECK(slurp(dir / (name + "-resumed.log")).find("resumed from") != std::string::npos);
    const auto resumed = timeless_metrics(dir / name);
    REQUIRE(through.size() == resumed.size());
    for (size_t i = 0; i < through.size(); ++i) CHECK_MESSAGE(through[i] == resumed[i], "record ", i);
  }
}

TEST_CASE("a first SIGINT is caught and remembered; a second ends the process at once") {
  for (const int raises : {1, 2}) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      InterruptGuard guard;
      ::raise(SIGINT);
      if (interrupt_signal() != SIGINT) ::_exit(3);
      if (raises == 2) ::raise(SIGTERM);  // either signal, a second time
      ::_exit(0);
    }
    CHECK(wait_program(pid) == (raises == 1 ? 0 : 128 + SIGTERM));
  }
}

TEST_CASE("a run directory is locked while a process writes it; a second process is refused, naming the holder") {
  TempDir dir("trainer_lock");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 64, 1, 0));
  {
    const RunLock held = lock_run_directory(dir / "tiny", "gaze train tiny.yaml");
    CHECK(held.created());
    CHECK(run_program({GAZE_CLI_PATH, "train", path, "--resume", "auto", "--no-progress"}, dir / "second.log") == 1);
    const std::string message = slurp(dir / "second.log");
    CHECK_MESSAGE(message.find("run directory " + (dir / "tiny") + " is in use by process " + std::to_string(::getpid())) !=
                      std::string::npos,
                  message);
    CHECK(message.find("(gaze train tiny.yaml)") != std::string::npos);
    CHECK_FALSE(fs::exists(dir.path / "tiny/metrics.jsonl"));  // the second process wrote nothing
    CHECK_THROWS_WITH_AS(lock_run_directory(dir / "tiny", ""), doctest::Contains("is in use by"), Error);
  }
  // Released: the run starts (and a lock on a directory that exists is not its creation).
  CHECK(run_program({GAZE_CLI_PATH, "train", path, "--resume", "auto", "--no-progress"}, dir / "third.log") == 0);
  CHECK_FALSE(lock_run_directory(dir / "tiny", "").created());
}

namespace {

// Records where the run stands at each point of the loop.
struct RecordingHook : Hook {
  std::vector<std::string> calls;
  std::vector<double> lrs;
  void before_epoch(TrainingRun& run) override { calls.push_back(fmt::format("before_epoch {}", run.state.epoch)); }
  void after_step(TrainingRun& run, const StepReport& step) override {
    calls.push_back(fmt::format("after_step {}", run.state.global_step));
    lrs.push_back(step.lr);
  }
  void after_epoch(TrainingRun& run, const EpochReport& epoch) override {
    calls.push_back(fmt::format("after_epoch {} state {}", epoch.epoch, run.state.epoch));
  }
  void after_run(TrainingRun& run, RunReport& report) override {
    calls.push_back(fmt::format("after_run top1 {}", report.test.metrics.at("top1").get<double>()));
  }
};

}  // namespace

TEST_CASE("a user's hook is called at every point of the loop, after the standard hooks, with the run's state") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("trainer_hooks");
  const std::string path = dir.write("tiny.yaml", tiny_config(dir.path.string(), 128, 2, 0));  // 4 steps an epoch
  auto hook = std::make_shared<RecordingHook>();
  const TrainResult result = train(load_config(path), {.config_path = path, .progress = false, .hooks = {hook}});
  std::vector<std::string> want{"before_epoch 0"};
  for (int step = 1; step <= 4; ++step) want.push_back(fmt::format("after_step {}", step));
  want.push_back("after_epoch 1 state 1");  // the state has moved to the next epoch: a checkpoint now resumes there
  want.push_back("before_epoch 1");
  for (int step = 5; step <= 8; ++step) want.push_back(fmt::format("after_step {}", step));
  want.push_back("after_epoch 2 state 2");
  want.push_back(fmt::format("after_run top1 {}", result.test.at("top1").get<double>()));
  CHECK_MESSAGE(hook->calls == want, fmt::format("calls:\n{}", fmt::join(hook->calls, "\n")));
  // The schedule hook ran first: a linear warm-up over half an epoch from 0, then the cosine decay.
  REQUIRE(hook->lrs.size() == 8);
  CHECK(hook->lrs[0] == 0.0);
  CHECK(hook->lrs[1] > hook->lrs[0]);
  CHECK(hook->lrs[7] < hook->lrs[2]);
  CHECK_THROWS_WITH_AS(train(load_config(path, {"log.name=null_hook"}), {.config_path = path, .progress = false, .hooks = {nullptr}}),
                       doctest::Contains("TrainOptions::hooks holds a null hook"), Error);
}
