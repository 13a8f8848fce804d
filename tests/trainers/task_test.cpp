// The action, segmentation and re-ID tasks trained for a few steps through the same loop as
// classification: each writes its metrics, table columns and pictures; bad combinations of keys
// are one clear error before anything is written.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "support/scoped_backend.h"
#include "support/temp_dir.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/config/config.h"
#include "trainers/tasks/task.h"
#include "trainers/app/run_directory.h"
#include "trainers/app/trainer.h"

using namespace gaze;
using namespace gaze::test;
namespace fs = std::filesystem;

namespace {

// Small sets and networks: each run is a second or two on the fastest backend.
std::string action_config(const std::string& log_dir) {
  return fmt::format(R"(model:
  backbone: c2d
  widths: [8, 16]
  strides: [1, 2]
  attention: {{type: nonlocal, mode: dot_product}}
data:
  dataset: action_clips
  batch_size: 8
  train_size: 16
  val_size: 4
  test_size: 4
train:
  epochs: 2
  log_interval: 2
eval:
  metrics: [top1, video_top1, confusion]
log:
  dir: {}
)",
                     log_dir);
}

std::string segmentation_config(const std::string& log_dir) {
  return fmt::format(R"(model:
  backbone: dilated_fcn
  widths: [8, 8, 16, 16]
  head: danet
data:
  dataset: segmentation_scenes
  batch_size: 4
  image_size: 32
  train_size: 8
  val_size: 4
  test_size: 4
optim:
  lr: 0.01
train:
  epochs: 2
  log_interval: 1
eval:
  metrics: [miou, pixel_accuracy, overlays]
log:
  dir: {}
)",
                     log_dir);
}

std::string reid_config(const std::string& log_dir) {
  return fmt::format(R"(model:
  backbone: reid3d
  in_channels: 3
  widths: [8, 16]
  strides: [1, 2]
  attention: {{type: nonlocal, mode: embedded_gaussian}}
data:
  dataset: reid_tracklets
  batch_size: 8
  instances: 2
  frames: 4
  train_size: 8
  test_size: 4
optim:
  name: adam
  lr: 0.001
train:
  epochs: 2
  log_interval: 2
eval:
  metrics: [rank1, rank5, map, ranked_lists]
log:
  dir: {}
)",
                     log_dir);
}

nlohmann::json result_of(const TrainResult& r) { return nlohmann::json::parse(read_file(r.run_dir + "/result.json")); }

std::vector<std::string> table_titles(const nlohmann::json& result) {
  std::vector<std::string> titles;
  for (const auto& cell : result.at("table")) titles.push_back(cell.at("title"));
  return titles;
}

}  // namespace

TEST_CASE("action: C2D with a Non-local block trains a few steps and reports clip and video accuracy") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("task_action");
  const std::string path = dir.write("action.yaml", action_config(dir.path.string()));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const nlohmann::json result = result_of(r);
  CHECK(result.at("task") == "action");
  CHECK(result.at("model") == "c2d + nonlocal dot_product x1");
  CHECK(table_titles(result) == std::vector<std::string>{"clip top-1 (%)", "video top-1 (%)"});
  const double video = result.at("test").at("video_top1");
  CHECK(video * 4 == doctest::Approx(std::round(video * 4)));  // a fraction of the 4 test videos
  CHECK(fs::exists(dir.path / "action" / "confusion.png"));
  // The same seed gives the same run: the clips are rendered deterministically every epoch.
  const TrainResult again = train(load_config(path, {"log.name=again"}), {.config_path = path, .progress = false});
  CHECK(result_of(again).at("test") == result.at("test"));
}

TEST_CASE("action: TSN's losses include the pyramid attention's terms, logged by name") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("task_tsn");
  const std::string path = dir.write("tsn.yaml", action_config(dir.path.string()));
  const Config config = load_config(path, {"model.backbone=tsn", "model.attention={}", "model.segments=2"});
  const TrainResult r = train(config, {.config_path = path, .progress = false});
  bool logged = false;
  for (const auto& record : read_metrics(r.run_dir + "/metrics.jsonl"))
    if (record.at("type") == "train") {
      logged = true;
      CHECK(record.contains("interaction"));
      CHECK(record.contains("diversity"));
      CHECK(record.at("ce").get<double>() > 0);
    }
  CHECK(logged);
}

TEST_CASE("segmentation: the DANet head trains with its auxiliary losses and reports mIoU, per-class IoU and overlays") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("task_segmentation");
  const std::string path = dir.write("seg.yaml", segmentation_config(dir.path.string()));
  const TrainResult r = train(load_config(path), {.config_path = path, .progress = false});
  const nlohmann::json result = result_of(r);
  CHECK(result.at("model") == "DANet head, PAM + CAM");
  CHECK(table_titles(result) == std::vector<std::string>{"mIoU (%)", "pixel accuracy (%)"});
  const double miou = result.at("test").at("miou");
  CHECK(miou >= 0);
  CHECK(miou <= 1);
  CHECK(result.at("test").at("iou").size() >= 1);
  CHECK(fs::exists(dir.path / "seg" / "overlays.png"));
  for (const auto& record : read_metrics(r.run_dir + "/metrics.jsonl"))
    if (record.at("type") == "train") {
      CHECK(record.contains("aux_aux_head"));
      CHECK(record.contains("aux_position"));
      CHECK(record.contains("aux_channel"));
    }
}

TEST_CASE("re-ID: PK batches, cross entropy plus triplet, and retrieval metrics over query and gallery") {
  ScopedBackend backend(fastest_backend());
  TempDir dir("task_reid");
  const std::string path = dir.write("reid.yaml", reid_config(dir.path.string()));
  const Config config = load_config(path);
  const auto task = make_task(config);
  // Every training batch holds P = 4 identities with K = 2 tracklets each.
  LoaderOptions options{.batch_size = 8, .shuffle = true, .drop_last = true, .augment = true, .transforms = {}, .seed = 1, .prefetch = 0,
                        .order = task->train_order(1)};
  DataLoader loader(task->train_set(), options);
  loader.start_epoch(0);
  Batch batch;
  int batches = 0;
  while (loader.next(batch)) {
    ++batches;
    std::map<int64_t, int> per_identity;
    for (int64_t id : batch.labels.to_vector<int64_t>()) ++per_identity[id];
    CHECK(per_identity.size() == 4);
    for (const auto& [id, count] : per_identity) CHECK(count == 2);
  }
  CHECK(batches == 2);  // 8 identities, 4 per batch

  const TrainResult r = train(config, {.config_path = path, .progress = false});
  const nlohmann::json result = result_of(r);
  CHECK(table_titles(result) == std::vector<std::string>{"rank-1 (%)", "rank-5 (%)", "mAP (%)"});
  const double rank1 = result.at("test").at("rank1"), rank5 = result.at("test").at("rank5");
  CHECK(rank1 <= rank5);
  CHECK(result.at("test").at("map").get<double>() > 0);
  CHECK(fs::exists(dir.path / "reid" / "ranked_lists.png"));
  for (const auto& record : read_metrics(r.run_dir + "/metrics.jsonl"))
    if (record.at("type") == "train") CHECK(record.contains("triplet"));
}

TEST_CASE("tasks: a key that does not fit the task is one error naming it, before any run directory exists") {
  TempDir dir("task_bad");
  const std::string action = dir.write("action.yaml", action_config(dir.path.string()));
  const std::string reid = dir.write("reid.yaml", reid_config(dir.path.string()));
  CHECK_THROWS_WITH_AS(make_task(load_config(action, {"model.backbone=reid3d"})), doctest::Contains("trains c2d, i3d or tsn"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(action, {"eval.metrics=[miou]"})),
                       doctest::Contains("eval.metrics lists 'miou', which the action task does not compute"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(action, {"model.attention={type: cbam}"}))->build_model(),
                       doctest::Contains("takes Non-local blocks"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(action, {"model.in_channels=3"})), doctest::Contains("model.in_channels is 3"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(reid, {"data.batch_size=7"})), doctest::Contains("must be a multiple of data.instances"),
                       Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(reid, {"data.dataset=fashion_mnist", "eval.metrics=[]"})), doctest::Contains("trains resnet, not 'reid3d'"),
                       Error);
  const std::string scenes = dir.write("scenes.yaml", segmentation_config(dir.path.string()));
  CHECK_THROWS_WITH_AS(make_task(load_config(scenes, {"data.items_per_scene=[4, 2]"})),
                       doctest::Contains("data.items_per_scene is [fewest, most] items, two values in order (got [4, 2])"), Error);
  CHECK_THROWS_WITH_AS(make_task(load_config(scenes, {"data.item_size=[35]"})),
                       doctest::Contains("data.item_size is [smallest, largest] side in percent"), Error);
  CHECK_THROWS_WITH_AS(train(load_config(action, {"data.batch_size=64"}), {.config_path = action, .progress = false}),
                       doctest::Contains("larger than the training set"), Error);
  CHECK_FALSE(fs::exists(dir.path / "action"));
}
