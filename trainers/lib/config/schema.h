// The training config's schema, in code: every key of every section with its type, default,
// one-line doc and, where it has one, its range or set of allowed values. YAML files and
// `--set a.b=value` only override these defaults; `gaze config --explain` prints this table.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace gaze {

enum class KeyType { integer, number, boolean, text, integers, texts, map };

struct ConfigKey {
  std::string section;
  std::string name;
  KeyType type;
  std::string default_value;  // YAML text
  std::string doc;
  std::optional<double> min, max;    // integer and number keys, and each item of a list of integers
  std::vector<std::string> allowed;  // text keys, and each item of a list of strings; empty: any

  std::string dotted() const { return section + "." + name; }
};

// Every key, section by section, in the order the schema prints them.
const std::vector<ConfigKey>& config_schema();
std::vector<std::string> config_sections();
// The key named `dotted` ("optim.lr"), or null.
const ConfigKey* find_config_key(const std::string& dotted);
// What a value of this type looks like, for errors: "an integer", "a list of strings", ...
std::string key_type_name(KeyType type);
// The schema as text: every key of `section` (all sections when empty) with its type, default,
// allowed values and doc. An unknown section is a gaze::Error naming the valid ones.
std::string explain_config(const std::string& section = "");

}  // namespace gaze
