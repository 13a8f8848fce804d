// The training config's schema, in code: every key of every section with its type, default,
// one-line doc and, where it has one, its range or set of allowed values. YAML files and
// `--set a.b=value` only override these defaults; `gaze config --explain` prints this table.
// A key is an OptionSpec (layers/option_spec.h), the type layer options are described by too.
#pragma once
#include <string>
#include <vector>

#include "layers/option_spec.h"

namespace gaze {

struct ConfigKey : OptionSpec {
  std::string section;

  std::string dotted() const { return section + "." + name; }
};

// Every key, section by section, in the order the schema prints them.
const std::vector<ConfigKey>& config_schema();
std::vector<std::string> config_sections();
// The key named `dotted` ("optim.lr"), or null.
const ConfigKey* find_config_key(const std::string& dotted);
// The schema as text: every key of `section` (all sections when empty) with its type, default,
// allowed values and doc. An unknown section is a gaze::Error naming the valid ones.
std::string explain_config(const std::string& section = "");

}  // namespace gaze
