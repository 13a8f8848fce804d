#include "trainers/tasks/reid_task.h"

#include "trainers/tasks/backbone_scale.h"

#include <fmt/format.h>

#include <filesystem>

#include "autograd/ops.h"
#include "autograd/triplet_loss.h"
#include "framework/error.h"
#include "layers/models/reid_net.h"
#include "trainers/lib/data/pk_sampler.h"
#include "trainers/plot/pictures.h"
#include "trainers/tasks/eval_metrics.h"
#include "trainers/tasks/from_config.h"
#include "trainers/datasets/frame_resample.h"
#include "trainers/tasks/registry.h"
#include "trainers/tasks/reid_video_data.h"
#include "trainers/lib/metrics/retrieval_metrics.h"
#include "trainers/tasks/sharded_evaluation.h"

namespace gaze {

namespace {

constexpr int64_t kTrainIdentities = 150, kTestIdentities = 50;
constexpr int64_t kPictureQueries = 6, kPictureRanks = 5;

// data.instances, read by the task for every re-ID dataset.
ConfigKey pk_instances_key() {
  return with_range(config_key("data", "instances", OptionType::integer, "4", "tracklets per identity in a training batch (the PK sampler's K; P = batch_size / K)"),
                    1, 64);
}

ReidTrackletsOptions tracklet_options(const Config& config, int64_t identities) {
  ReidTrackletsOptions o;
  o.identities = identities;
  o.cameras = config.integer("data.cameras");
  o.frames = config.integer("data.frames");
  o.size = size_or(config, "data.image_size", 32);
  o.occlusion = config.number("data.occlusion");
  o.motion = config.number("data.motion");
  o.seed = static_cast<uint64_t>(config.integer("data.seed"));  // the same for both: it fixes the cameras
  return o;
}

// Features of every tracklet of `set`, in order, with their identities and cameras.
struct Embedded {
  Tensor features;  // [N, D] on the host
  std::vector<int64_t> ids, cameras;
};

Embedded embed(Module& model, const ExampleSource& set, const Config& config, Communicator& ranks) {
  // Each batch's record: its tracklet count, then their features; every rank gets all of them.
  const std::vector<BatchRecord> records = evaluate_sharded(set, config, ranks, [&](const Batch& batch, int64_t) {
    BatchRecord record{static_cast<double>(batch.labels.size(0))};
    append_values(record, model.forward(batch.images));
    return record;
  });
  std::vector<Tensor> parts;
  for (const BatchRecord& record : records) {
    const auto n = static_cast<int64_t>(record[0]);
    const auto dimensions = static_cast<int64_t>(record.size() - 1) / n;
    size_t position = 1;
    parts.push_back(from_vector(take_values(record, position, n * dimensions), {n, dimensions}, DType::f32));
  }
  Embedded e;
  for (int64_t i = 0; i < set.size(); ++i) e.ids.push_back(set.group(i)), e.cameras.push_back(set.camera(i));
  e.features = cat(parts, 0);
  return e;
}

// The middle frame of tracklet `index`, height × width × channels in [0, 1] (for the pictures),
// un-normalized with each channel's `mean` and `std`.
std::vector<float> middle_frame(const ExampleSource& set, int64_t index, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  const Shape shape = set.input_shape();  // [C, T, H, W]
  const int64_t channels = shape[0], frames = shape[1], plane = shape[2] * shape[3];
  std::vector<float> input(static_cast<size_t>(numel(shape)));
  int64_t target = 0;
  set.example(index, nullptr, input.data(), &target);
  std::vector<float> frame(static_cast<size_t>(plane * channels));
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t p = 0; p < plane; ++p)
      frame[p * channels + c] = std::clamp(input[(c * frames + frames / 2) * plane + p] * std[static_cast<size_t>(c)] + mean[static_cast<size_t>(c)], 0.0f, 1.0f);
  return frame;
}

}  // namespace

ReidTask::ReidTask(const Config& config)
    : config_(config),
      metrics_(task_eval_metrics(config, "re-ID", {"rank1", "rank5", "rank10", "map"}, {"rank1", "rank5", "rank10", "map", "ranked_lists"})),
      items_(config.text("data.dataset") == "reid_tracklets" ? load_items(config) : ItemSets{}) {
  const int64_t k = config.integer("data.instances"), batch = config.integer("data.batch_size");
  if (batch % k != 0 || batch / k < 2)
    fail("{}: data.batch_size {} must be a multiple of data.instances {} with at least 2 identities per batch (P = batch_size / K), "
         "so the triplet loss has negatives",
         config.where("data.batch_size"), batch, k);
  if (config.text("data.dataset") != "reid_tracklets") {
    ReidVideoSets sets = make_reid_video_sets(config);
    train_ = std::move(sets.train), real_query_ = std::move(sets.query), real_gallery_ = std::move(sets.gallery);
    query_ = real_query_.get(), gallery_ = real_gallery_.get();
    for (size_t c = 0; c < 3; ++c) mean_[c] = kImageNetMean[c] / 255, std_[c] = kImageNetStd[c] / 255;
  } else {
    train_ = std::make_unique<ReidTracklets>(items_.train, tracklet_options(config, size_or(config, "data.train_size", kTrainIdentities)));
    evaluation_ = std::make_unique<ReidEvaluationSplit>(
        make_reid_evaluation(items_.test, tracklet_options(config, size_or(config, "data.test_size", kTestIdentities))));
    query_ = &evaluation_->query, gallery_ = &evaluation_->gallery;
    mean_.fill(kReidMean), std_.fill(kReidStd);
  }
  check_in_channels(config, train_->input_shape()[0]);
  num_classes(config, static_cast<int64_t>(train_->class_names().size()));
}

std::string ReidTask::model_summary() const {
  const NonLocalChoice nl = nonlocal_choice(config_);
  if (nl.mode.empty()) return "3D CNN";
  return fmt::format("3D CNN + nonlocal {} x{}", nl.mode, config_.integer("model.attention_blocks"));
}

std::function<std::vector<int64_t>(int64_t epoch)> ReidTask::train_order(uint64_t seed) const {
  std::vector<int64_t> groups(static_cast<size_t>(train_->size()));
  for (int64_t i = 0; i < train_->size(); ++i) groups[static_cast<size_t>(i)] = train_->group(i);
  const int64_t k = config_.integer("data.instances"), p = config_.integer("data.batch_size") / k;
  return [groups, p, k, seed](int64_t epoch) { return pk_epoch_order(groups, p, k, seed, epoch); };
}

std::shared_ptr<Module> ReidTask::build_model() const {
  ReidNetOptions o;
  o.in_channels = config_.integer("model.in_channels");
  o.num_identities = num_classes(config_, static_cast<int64_t>(train_->class_names().size()));
  const BackboneScale scale = backbone_scale(config_);
  o.widths = scale.widths;
  o.strides = scale.strides;
  o.blocks = scale.blocks;
  o.block = scale.block;
  o.stem = scale.stem;
  o.zero_init_residual = scale.zero_init_residual;
  o.inflate = config_.texts("model.inflate");
  o.temporal_pool = config_.boolean("model.temporal_pool");
  const NonLocalChoice nl = nonlocal_choice(config_);
  o.nonlocal_mode = nl.mode;
  o.nonlocal_sub_sample = nl.sub_sample;
  o.nonlocal_blocks = config_.integer("model.attention_blocks");
  auto model = std::make_shared<VideoReidNet>(o);
  model->to(parse_device(config_.text("train.device")));
  return model;
}

StepOutput ReidTask::train_step(Module& model, const Batch& batch) const {
  const TensorDict outputs = model.forward_all({batch.images});
  const Tensor& features = outputs.at("out");
  const Tensor& logits = outputs.at("logits");
  CrossEntropyOptions options;
  options.label_smoothing = config_.number("train.label_smoothing");
  Tensor ce = cross_entropy(logits, batch.labels, options);
  Tensor triplet = batch_hard_triplet_loss(features, batch.labels, config_.number("train.triplet_margin"));
  StepOutput out;
  out.loss = ce + triplet * config_.number("train.triplet_weight");
  out.terms = {{"ce", ce.item()}, {"triplet", triplet.item()}};
  NoGradGuard no_grad;
  out.correct = static_cast<int64_t>(sum(eq(argmax(logits.detach(), 1), batch.labels)).item());
  out.counted = batch.labels.numel();
  return out;
}

Evaluation ReidTask::evaluate(Module& model, Split split, const std::string& pictures_dir, Communicator& ranks) const {
  if (split != Split::test) fail("re-ID has no validation split: evaluate the test split (query against gallery)");
  model.eval();
  const ExampleSource& query = *query_;
  const ExampleSource& gallery = *gallery_;
  const Embedded q = embed(model, query, config_, ranks), g = embed(model, gallery, config_, ranks);
  const RetrievalResult r = evaluate_retrieval(q.features, q.ids, q.cameras, g.features, g.ids, g.cameras, 10);
  Evaluation e;
  const std::pair<const char*, double> all[] = {{"rank1", r.cmc[0]}, {"rank5", r.cmc[4]}, {"rank10", r.cmc[9]}, {"map", r.map}};
  for (const auto& [name, value] : all)
    if (listed(metrics_, name)) e.metrics[name] = value;
  e.metrics["queries"] = r.queries;
  e.score = r.cmc[0];
  e.summary = fmt::format("rank-1 {:.2f}% rank-5 {:.2f}% rank-10 {:.2f}% mAP {:.2f}% ({} queries, {} gallery tracklets)", 100 * r.cmc[0],
                          100 * r.cmc[4], 100 * r.cmc[9], 100 * r.map, r.queries, gallery.size());
  if (!pictures_dir.empty() && listed(metrics_, "ranked_lists")) {
    const int64_t shown = std::min<int64_t>(kPictureQueries, query.size());
    const Tensor shown_features = narrow(q.features, 0, 0, shown);
    const std::vector<int64_t> ids(q.ids.begin(), q.ids.begin() + shown), cams(q.cameras.begin(), q.cameras.begin() + shown);
    const auto ranked = ranked_gallery(shown_features, ids, cams, g.features, g.ids, g.cameras, kPictureRanks);
    std::vector<std::vector<float>> queries, frames;
    std::vector<std::vector<int64_t>> positions;
    std::vector<std::vector<bool>> matches;
    for (int64_t i = 0; i < shown; ++i) {
      queries.push_back(middle_frame(query, i, mean_, std_));
      std::vector<int64_t> row;
      std::vector<bool> match;
      for (int64_t index : ranked[static_cast<size_t>(i)]) {
        row.push_back(static_cast<int64_t>(frames.size()));
        frames.push_back(middle_frame(gallery, index, mean_, std_));
        match.push_back(g.ids[static_cast<size_t>(index)] == ids[static_cast<size_t>(i)]);
      }
      positions.push_back(row);
      matches.push_back(match);
    }
    const Shape shape = query.input_shape();
    write_ranked_lists_png((std::filesystem::path(pictures_dir) / "ranked_lists.png").string(), queries, frames, shape[2], shape[3], shape[0],
                           positions, matches);
  }
  return e;
}

void register_reid_components() {
  register_dataset(
      "reid_tracklets", "synthetic tracklets of Fashion-MNIST items seen by several cameras, for video re-ID (docs/datasets.md)",
      {set_size_key("train_size", fmt::format("identities for training; 0: {}", kTrainIdentities)),
       set_size_key("test_size", fmt::format("query identities for testing; 0: {}", kTestIdentities)), frames_key("frames per tracklet"),
       image_size_key(32),
       with_range(config_key("data", "cameras", OptionType::integer, "3", "cameras that see each identity"), 2, 16),
       with_range(config_key("data", "occlusion", OptionType::number, "0.2", "chance that a tracklet has occluded, noisy or missing frames"),
                  0.0, 1.0),
       with_range(config_key("data", "motion", OptionType::number, "0.5", "the item's per-frame drift in pixels (std of a random walk)"), 0.0,
                  64.0),
       pk_instances_key()},
      [](const ImageSet& items, uint64_t seed) {
        ReidTrackletsOptions options;
        options.seed = seed;
        return std::make_unique<ReidTracklets>(items, options);
      });
  register_dataset("mars", "MARS: bbox_train/, bbox_test/ and the info/ files of its evaluation code (docs/datasets.md)",
                   reid_video_keys(pk_instances_key()));
  register_dataset("duke_video", "DukeMTMC-VideoReID: train/, query/, gallery/ of <pid>/<tracklet>/ frame folders (docs/datasets.md)",
                   reid_video_keys(pk_instances_key()));
  register_task(
      "reid", "video re-identification: cross entropy over identities plus a batch-hard triplet loss; rank-k and mAP",
      {"reid_tracklets", "mars", "duke_video"},
      {"reid3d"},
      {with_range(config_key("train", "triplet_weight", OptionType::number, "1", "weight of the batch-hard triplet loss beside cross entropy"),
                  0.0, 100.0),
       with_range(config_key("train", "triplet_margin", OptionType::number, "0.3", "the triplet loss's margin"), 0.0, 100.0)},
      [](const Config& config) { return std::make_unique<ReidTask>(config); });
  register_backbone("reid3d", "a 3D CNN embedding each tracklet; Non-local blocks via model.attention",
                    video_backbone_scale_keys({nonlocal_blocks_key()}));
}

}  // namespace gaze
