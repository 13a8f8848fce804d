// `gaze config`: the config schema (--explain [SECTION | COMPONENT]) or a config file resolved and validated.
#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/cli/commands.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"

namespace gaze::cli {

namespace {
struct ConfigArgs {
  bool explain = false;
  std::string target;  // the config file, or with --explain the section
  std::vector<std::string> sets;
};
}  // namespace

void add_config_command(CLI::App& app, GlobalOptions& options) {
  auto* cmd = app.add_subcommand("config",
                                 "Print the config schema (--explain [SECTION | COMPONENT]) or a config file resolved: defaults filled in, "
                                 "--set overrides applied, everything validated, only the keys its dataset, task, backbone and head "
                                 "read (bad input: exit status 2)");
  auto args = std::make_shared<ConfigArgs>();
  cmd->add_flag("--explain", args->explain, "Print every key of the schema, the common ones by section and then each dataset's, task's, backbone's and "
                    "head's (of SECTION or COMPONENT only, when given): type, default, doc, allowed values");
  cmd->add_option("target", args->target, "A config file (YAML), or with --explain a section or component name");
  cmd->add_option("--set", args->sets, "Override a key: --set optim.lr=0.05 --set model.widths=[16,32] (repeatable)")
      ->allow_extra_args(false);
  cmd->callback([&options, args] {
    run_guarded(options, [&args] {
      const std::string text = input_phase([&args] {  // every error here is the input's
        if (args->explain) {
          if (!args->sets.empty()) fail("--set applies to a config file, not to --explain");
          return explain_config(args->target);
        }
        if (args->target.empty()) fail("config: give a config file (gaze config FILE [--set a.b=v ...]) or --explain [SECTION]");
        return load_config(args->target, args->sets).to_yaml();
      });
      fmt::print("{}", text);
    });
  });
}

}  // namespace gaze::cli
