// `gaze samples CONFIG` or `gaze samples --dataset NAME`: a PNG of a synthetic dataset's examples
// (docs/datasets.md's pictures), as a config trains on them or with the generator's defaults.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/datasets/sample_pictures.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/tasks/registry.h"
#include "trainers/tasks/task.h"

namespace gaze::cli {

namespace {

struct SamplesArgs {
  std::string config, dataset, root = "/usr/share/datasets/fashion-mnist", output = ".";
  std::vector<std::string> sets;
  int64_t count = 8;
  uint64_t seed = 0;
};

// The generator's default options: one row per video, per identity and camera, or per scene.
void write_default_samples(const SamplesArgs& args, const std::string& path) {
  const DefaultExamples& make = default_examples(args.dataset);
  const ImageSet items = load_fashion_mnist(args.root, "train");
  write_samples_png(*make(items, args.seed), path, args.count);
}

}  // namespace

void add_samples_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("samples");
  describe_command(*cmd, "Draw a synthetic dataset's examples as <dataset>.png, one per row",
                   "With a config: its training set as it trains on it (its data.* keys: sizes, frames, "
                   "options). With --dataset: the generator's default options. The action clips, "
                   "segmentation scenes and re-ID tracklets are built from Fashion-MNIST items "
                   "(docs/datasets.md shows them).",
                   "  gaze samples configs/action/c2d.yaml\n"
                   "  gaze samples configs/segmentation/fcn.yaml --count 8\n"
                   "  gaze samples --dataset reid_tracklets --output pictures\n");
  auto args = std::make_shared<SamplesArgs>();
  cmd->add_option("config", args->config, "A config whose training set to draw (its data.* keys: sizes, frames, options)");
  cmd->add_option("--set", args->sets, "Override a config key (repeatable)")
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
  register_builtin_components();
  const std::vector<std::string> synthetic = datasets_with_default_examples();
  cmd->add_option("--dataset", args->dataset, fmt::format("Without a config: {}, default options", fmt::join(synthetic, ", ")))
      ->check(CLI::IsMember(synthetic))
      ->option_text("NAME");
  cmd->add_option("--root", args->root, "Without a config: Fashion-MNIST's directory (the items are its training images)");
  cmd->add_option("--output", args->output, "Directory for the picture (created if missing)");
  cmd->add_option("--count", args->count, "Rows: examples to draw, 1 to 64 (default 8)")
      ->check(CLI::Range(1, 64))
      ->option_text("N");
  cmd->add_option("--seed", args->seed, "Without a config: the dataset's seed (a config's is data.seed)")->option_text("N");
  cmd->callback([&options, args] {
    if (args->config.empty() == args->dataset.empty())
      run_guarded(options, [&] {
        throw InputError(fmt::format("samples: give a config (to draw its training set) or --dataset NAME (the generator's defaults); you gave {}",
                                     args->config.empty() ? "neither" : "both"));
      });
    std::optional<Config> config;
    if (!args->config.empty()) config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      std::unique_ptr<Task> task;
      if (config) {
        task = input_phase([&] {
          const std::string dataset = config->text("data.dataset");
          const auto synthetic = datasets_with_default_examples();
          if (std::find(synthetic.begin(), synthetic.end(), dataset) == synthetic.end())
            fail("samples: {} trains on {}; samples draws the synthetic sets ({})", args->config, dataset, fmt::join(synthetic, ", "));
          return make_task(*config);
        });
      }
      const std::string name = config ? config->text("data.dataset") : args->dataset;
      std::error_code error;
      std::filesystem::create_directories(args->output, error);
      if (error) fail("samples: cannot create the output directory {}: {}", args->output, error.message());
      const std::string path = (std::filesystem::path(args->output) / (name + ".png")).string();
      if (task) write_samples_png(task->train_set(), path, args->count);
      else write_default_samples(*args, path);
      fmt::print("wrote {}\n", path);
    });
  });
}

}  // namespace gaze::cli
