// `gaze convert`: a layer's weights between its authors' PyTorch names and gaze's
// (docs/official-weights.md). The layer is built from a YAML spec, so its options say which
// official form the file is (e.g. CBAM's spatial_bn and spatial_pool_order, Non-local's sub_sample).
#include <fmt/format.h>

#include <memory>

#include "framework/error.h"
#include "layers/registry.h"
#include "trainers/lib/io/official_checkpoint.h"
#include "trainers/lib/io/safetensors.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"

namespace gaze::cli {

namespace {

struct ConvertArgs {
  std::string layer, from_official, to, from, to_official;
  bool names = false, non_strict = false;
};

void convert(const ConvertArgs& a) {
  std::shared_ptr<Module> module = build_layer(YAML::Load(a.layer), "--layer");
  if (a.names) {
    OfficialNames map = module->official_names();
    fmt::print("{} as in {}\n", module->type_name(), map.source);
    for (const auto& [official, name] : map.names) fmt::print("  {:<48} {}\n", official, name);
    for (const auto& official : map.untracked) fmt::print("  {:<48} (not kept; written as 0)\n", official);
    return;
  }
  bool to_gaze = !a.from_official.empty() && !a.to.empty(), to_official = !a.from.empty() && !a.to_official.empty();
  if (to_gaze == to_official)
    fail("convert: give either --from-official FILE --to FILE (official names to gaze's) or --from FILE --to-official FILE "
         "(gaze's to official), or --names");
  if (to_gaze) {
    OfficialLoadReport report = load_official_checkpoint(*module, a.from_official, !a.non_strict);
    if (!report.missing.empty()) fmt::print("missing keys (left at their initial values): {}\n", fmt::join(report.missing, ", "));
    if (!report.unexpected.empty()) fmt::print("unexpected keys (ignored): {}\n", fmt::join(report.unexpected, ", "));
    auto state = module->state_dict();
    save_safetensors(a.to, NamedTensors(state.begin(), state.end()));
    fmt::print("wrote {} ({} tensors, gaze's names)\n", a.to, state.size());
  } else {
    SafetensorsFile file = load_safetensors(a.from);
    module->load_state_dict(std::map<std::string, Tensor>(file.tensors.begin(), file.tensors.end()), !a.non_strict);
    save_official_checkpoint(a.to_official, *module);
    fmt::print("wrote {} ({} names)\n", a.to_official, module->official_names().source);
  }
}

}  // namespace

void add_convert_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("convert");
  describe_command(*cmd, "Convert a layer's weights between its authors' PyTorch names and gaze's",
                   "The layer is built from its YAML spec, whose options say which official form the file has "
                   "(e.g. CBAM's spatial_bn and spatial_pool_order). --from-official reads a state dict under "
                   "the authors' names and writes gaze's safetensors; --from and --to-official go back; "
                   "--names prints the mapping. docs/official-weights.md lists the layers and their sources.",
                   "  gaze convert --layer '{type: cbam, channels: 64}' --names\n"
                   "  gaze convert --layer '{type: cbam, channels: 64, spatial_bn: true}' \\\n"
                   "      --from-official cbam_official.safetensors --to cbam.safetensors\n"
                   "  gaze convert --layer '{type: se, channels: 64}' \\\n"
                   "      --from se.safetensors --to-official se_official.safetensors\n");
  auto args = std::make_shared<ConvertArgs>();
  cmd->add_option("--layer", args->layer, "The layer as YAML, e.g. '{type: cbam, channels: 64, spatial_bn: true, spatial_pool_order: max_mean}'")
      ->required();
  cmd->add_option("--from-official", args->from_official, "A state dict under the official names (e.g. safetensors.torch.save_file)");
  cmd->add_option("--to", args->to, "Where to write the weights under gaze's names");
  cmd->add_option("--from", args->from, "Weights under gaze's names (the layer's state_dict)");
  cmd->add_option("--to-official", args->to_official, "Where to write them under the official names");
  cmd->add_flag("--names", args->names, "Print the layer's official name of each gaze name and exit");
  cmd->add_flag("--non-strict", args->non_strict, "Load the keys that match; list the missing and unexpected ones (shapes must still match)");
  cmd->callback([&options, args] { run_guarded(options, [args] { convert(*args); }); });
}

}  // namespace gaze::cli
