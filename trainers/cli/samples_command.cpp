// `gaze samples --dataset NAME`: a PNG of a synthetic dataset's examples (docs/datasets.md's pictures).
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/data/action_clips.h"
#include "trainers/data/image_set.h"
#include "trainers/data/reid_tracklets.h"
#include "trainers/data/sample_pictures.h"
#include "trainers/data/segmentation_scenes.h"

namespace gaze::cli {

namespace {

struct SamplesArgs {
  std::string dataset, root = "/usr/share/datasets/fashion-mnist", output = ".";
  int64_t count = 8;
  uint64_t seed = 0;
};

// Rows worth looking at: one clip per video (a video's clips are near repeats), and for re-ID a
// few identities each through every camera.
void write_samples(const SamplesArgs& args, const std::string& path) {
  const ImageSet items = load_fashion_mnist(args.root, "train");
  std::vector<int64_t> rows;
  if (args.dataset == "action_clips") {
    ActionClipsOptions options;
    options.seed = args.seed;
    ActionClips source(items, options);
    for (int64_t r = 0; r < args.count; ++r) rows.push_back(r * options.clips_per_video % source.size());
    write_samples_png(source, path, rows);
  } else if (args.dataset == "segmentation_scenes") {
    SegmentationScenesOptions options;
    options.seed = args.seed;
    write_samples_png(SegmentationScenes(items, options), path, args.count);
  } else if (args.dataset == "reid_tracklets") {
    ReidTrackletsOptions options;
    options.seed = args.seed;
    ReidTracklets source(items, options);
    const int64_t per_identity = options.cameras * options.tracklets_per_camera;
    for (int64_t r = 0; r < args.count; ++r) {
      const int64_t identity = r / options.cameras, camera = r % options.cameras;
      rows.push_back((identity * per_identity + camera * options.tracklets_per_camera) % source.size());
    }
    write_samples_png(source, path, rows);
  } else {
    fail("samples: unknown dataset '{}'; choose action_clips, segmentation_scenes or reid_tracklets", args.dataset);
  }
}

}  // namespace

void add_samples_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("samples", "Draw examples of a synthetic dataset as <dataset>.png (one example per row)");
  auto args = std::make_shared<SamplesArgs>();
  cmd->add_option("--dataset", args->dataset, "action_clips, segmentation_scenes or reid_tracklets")
      ->required()
      ->check(CLI::IsMember({"action_clips", "segmentation_scenes", "reid_tracklets"}));
  cmd->add_option("--root", args->root, "Fashion-MNIST's directory (the items are its training images)");
  cmd->add_option("--output", args->output, "Directory for the picture (created if missing)");
  cmd->add_option("--count", args->count, "Rows: examples to draw")->check(CLI::Range(1, 64));
  cmd->add_option("--seed", args->seed, "The dataset's seed");
  cmd->callback([&options, args] {
    run_guarded(options, [&] {
      std::error_code error;
      std::filesystem::create_directories(args->output, error);
      if (error) fail("samples: cannot create the output directory {}: {}", args->output, error.message());
      const std::string path = (std::filesystem::path(args->output) / (args->dataset + ".png")).string();
      write_samples(*args, path);
      fmt::print("wrote {}\n", path);
    });
  });
}

}  // namespace gaze::cli
