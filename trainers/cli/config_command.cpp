// `gaze config`: the config schema (--explain [SECTION | COMPONENT]) or a config file resolved and validated.
#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"

namespace gaze::cli {

namespace {
struct ConfigArgs {
  bool explain = false;
  bool sources = false;
  std::string target;  // the config file, or with --explain the section
  std::vector<std::string> sets;
};
}  // namespace

void add_config_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("config");
  describe_command(*cmd, "Print a config resolved and validated, or the config schema (--explain)",
                   "With a config file: reads it after the files its _base_ names, applies the --set overrides "
                   "in order, validates everything and prints the resolved config: defaults filled in, only the "
                   "keys its dataset, task, backbone and head read. --sources adds after each key the "
                   "file:line:col that set it, the --set flag or 'default'. Bad input is one message naming its "
                   "place, and exit status 2. With --explain: every key of the schema (type, default, doc, "
                   "allowed values), or one section's or component's.",
                   "  gaze config configs/classification/se_resnet.yaml\n"
                   "  gaze config configs/quickstart.yaml --sources        # which file set each key\n"
                   "  gaze config configs/classification/cbam_resnet.yaml \\\n"
                   "      --set optim.lr=0.05 --set model.widths=[16,32,64]\n"
                   "  gaze config --explain            # every key: type, default, doc, allowed values or range\n"
                   "  gaze config --explain optim      # one section (or one component: --explain reid_tracklets)\n"
                   "  gaze config --explain model      # with the layer types model.attention takes\n");
  auto args = std::make_shared<ConfigArgs>();
  cmd->add_flag("--explain", args->explain, "Print every key of the schema, the common ones by section and then each dataset's, task's, backbone's and "
                    "head's (of SECTION or COMPONENT only, when given): type, default, doc, allowed values");
  cmd->add_flag("--sources", args->sources, "After each key, the file:line:col that set it (through _base_ files), "
                "the --set flag, or 'default'");
  cmd->add_option("target", args->target, "A config file (YAML), or with --explain a section or component name");
  cmd->add_option("--set", args->sets, "Override a key: --set optim.lr=0.05 --set model.widths=[16,32] (repeatable)")
      
      ->allow_extra_args(false)
      ->option_text("KEY=VALUE ...");
  cmd->callback([&options, args] {
    run_guarded(options, [&args] {
      const std::string text = input_phase([&args] {  // every error here is the input's
        if (args->explain) {
          if (!args->sets.empty() || args->sources) fail("--set and --sources apply to a config file, not to --explain");
          return explain_config(args->target);
        }
        if (args->target.empty()) fail("config: give a config file (gaze config FILE [--set a.b=v ...]) or --explain [SECTION]");
        const Config config = load_config(args->target, args->sets);
        return args->sources ? config.to_yaml_with_sources() : config.to_yaml();
      });
      fmt::print("{}", text);
    });
  });
}

}  // namespace gaze::cli
