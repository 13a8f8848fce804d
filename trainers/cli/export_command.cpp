// `gaze export CONFIG --weights PATH --onnx FILE`: the config's model with trained (or random)
// weights as an ONNX file (docs/export.md).
#include <fmt/format.h>

#include <filesystem>

#include "backends/build_info.h"
#include "framework/error.h"
#include "trainers/app/checkpoints.h"
#include "trainers/app/onnx_export.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/tasks/task.h"

namespace gaze::cli {

namespace {

struct ExportArgs {
  std::string config, weights, onnx, sample;
  int64_t random_weights = -1;
  int64_t batch = 1;
  bool fold_batch_norm = false;
  std::vector<std::string> sets;
};

// The first `count` test examples, as evaluation sees them: [count, *input_shape].
Tensor test_examples(const ExampleSource& source, int64_t count) {
  if (source.size() < count) fail("--batch {}: the test set has only {} examples", count, source.size());
  Shape shape{count};
  const Shape one = source.input_shape();
  shape.insert(shape.end(), one.begin(), one.end());
  std::vector<float> values(static_cast<size_t>(numel(shape)));
  std::vector<int64_t> target(static_cast<size_t>(std::max<int64_t>(1, numel(source.target_shape()))));
  for (int64_t i = 0; i < count; ++i) source.example(i, nullptr, values.data() + i * numel(one), target.data());
  return from_vector(values, shape);
}

}  // namespace

void add_export_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("export");
  describe_command(*cmd, "Write a config's model with trained weights as an ONNX file (opset 13)",
                   "Builds the config's model, loads the weights as gaze eval does, and writes one ONNX file (opset "
                   "13, static shapes, the batch size fixed by --batch) whose nodes are standard ONNX ops, the "
                   "attention blocks included; the graph is checked against gaze's forward before it is written. "
                   "--sample writes an input and gaze's output as .npy files to compare another runtime with. "
                   "docs/export.md lists the ops of each layer and what OpenCV's dnn cannot run.",
                   "  gaze export configs/quickstart.yaml --weights runs/quickstart --onnx quickstart.onnx\n"
                   "  gaze export configs/segmentation/danet_pam_cam.yaml --random-weights 7 --onnx danet.onnx \\\n"
                   "      --fold-batch-norm --sample /tmp/danet   # input.npy and gaze's output.npy\n");
  auto args = std::make_shared<ExportArgs>();
  cmd->add_option("config", args->config, "The config the weights were trained with")->required();
  auto* weights = cmd->add_option("--weights", args->weights, "A .safetensors file, a checkpoint directory or a run directory (its best weights)");
  auto* random = cmd->add_option("--random-weights", args->random_weights,
                                 "Instead of --weights: every parameter and buffer drawn at random from this seed (to check a runtime)")
                     ->check(CLI::NonNegativeNumber);
  weights->excludes(random);
  cmd->add_option("--onnx", args->onnx, "The ONNX file to write")->required();
  cmd->add_option("--batch", args->batch, "The batch size the graph is fixed to")->check(CLI::Range(1, 4096));
  cmd->add_flag("--fold-batch-norm", args->fold_batch_norm, "Fold each BatchNorm into the convolution before it");
  cmd->add_option("--sample", args->sample,
                  "Also write DIR/input.npy (the first --batch test examples) and DIR/output.npy (gaze's output for them)");
  cmd->add_option("--set", args->sets, "Override a config key (repeatable)")->allow_extra_args(false);
  cmd->callback([&options, args] {
    const Config config = load_config_or_exit(options, args->config, args->sets);
    run_guarded(options, [&] {
      apply_config_runtime(options, config);
      std::shared_ptr<Module> model;
      Tensor sample;
      input_phase([&] {  // the config against its data and model, the weights against the model
        if (args->weights.empty() && args->random_weights < 0) fail("gaze export: give --weights PATH (or --random-weights SEED)");
        std::unique_ptr<Task> task = make_task(config);
        model = task->build_model();
        if (args->random_weights >= 0) {
          draw_random_state(*model, static_cast<uint64_t>(args->random_weights));
        } else {
          load_weights(resolve_weights_path(args->weights), *model);
        }
        model->to(Device::cpu());
        sample = test_examples(task->test_set(), args->batch);
      });
      OnnxExportOptions export_options{.output = args->onnx,
                                       .graph_name = std::filesystem::path(args->config).stem().string(),
                                       .fold_batch_norm = args->fold_batch_norm,
                                       .sample_dir = args->sample,
                                       .producer_version = build_info().version};
      const OnnxExportReport report = export_onnx(*model, sample, export_options);
      std::vector<std::string> ops;
      for (const auto& [op, count] : report.op_counts) ops.push_back(fmt::format("{} {}", op, count));
      fmt::print("wrote {}: opset 13, input [{}] -> output [{}], {} nodes ({}), {} initializers{}\n", args->onnx,
                 fmt::join(report.input_shape, ", "), fmt::join(report.output_shape, ", "), report.nodes, fmt::join(ops, ", "),
                 report.initializers,
                 args->fold_batch_norm ? fmt::format(", {} BatchNorms folded", report.folded_batch_norms) : std::string());
      fmt::print("the graph, computed by gaze, matches the model's forward: max |difference| {:.3g} (largest output {:.3g})\n",
                 report.max_difference, report.max_output);
      if (!args->sample.empty()) fmt::print("sample input and gaze's output under {}\n", args->sample);
    });
  });
}

}  // namespace gaze::cli
