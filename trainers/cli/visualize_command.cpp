// `gaze visualize CONFIG --weights PATH`: the attention maps of trained weights as PNG overlays.
#include <fmt/format.h>

#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/app/checkpoints.h"
#include "trainers/tasks/task.h"
#include "trainers/app/visualize.h"

namespace gaze::cli {

namespace {
struct VisualizeArgs {
  std::string config, weights, output = "attention_maps";
  int64_t images = 8;
  std::vector<std::string> sets;
};
}  // namespace

void add_visualize_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("visualize");
  describe_command(*cmd, "Draw the attention maps of trained weights over test examples",
                   "Builds the config's model, loads the weights and runs the first --images test examples "
                   "through it; each attention layer's map is drawn over each image as one PNG per image and "
                   "layer in the output directory. Layers without a map to draw are listed as skipped.",
                   "  gaze visualize configs/quickstart.yaml --weights runs/quickstart --images 8 --output maps\n"
                   "  gaze visualize configs/classification/se_resnet.yaml --weights runs/classification/se_resnet\n");
  auto args = std::make_shared<VisualizeArgs>();
  cmd->add_option("config", args->config, "The config the weights were trained with")->required();
  cmd->add_option("--weights", args->weights, "A .safetensors file, a checkpoint directory or a run directory")->required();
  cmd->add_option("--images", args->images, "How many test examples (the first N), 1 to 1000 (default 8)")
      ->check(CLI::Range(1, 1000))
      ->option_text("N");
  cmd->add_option("--output", args->output, "Directory for the pictures");
  cmd->add_option("--set", args->sets, "Override a config key (repeatable)")
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      apply_config_runtime(options, config);
      std::unique_ptr<Task> task;
      std::shared_ptr<Module> model;
      input_phase([&] {  // the config against its data and model, the weights against the model
        task = make_task(config);
        model = task->build_model();
        load_weights(args->weights, *model);
      });
      const AttentionPictures pictures = write_attention_pictures(*model, task->test_set(), args->images, args->output);
      for (const auto& skipped : pictures.skipped) fmt::print("skipped {}\n", skipped);
      fmt::print("wrote {} pictures under {}\n", pictures.written.size(), args->output);
    });
  });
}

}  // namespace gaze::cli
