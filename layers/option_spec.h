// One option as a user sees it, wherever options come from YAML: a layer's options (layers/registry.h,
// declared by its options struct) and the training config's keys (trainers/lib/config/schema.h) are both
// lists of OptionSpec, so a type means the same thing in both, and the value checks live here.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gaze {

enum class OptionType {
  integer,
  number,          // finite: .nan and .inf are refused
  boolean,
  text,
  integer_list,    // [32, 64]
  text_list,       // [normalize, hflip]
  integer_or_list, // 3 or [1, 3]: one value for every spatial dim, or one each
  text_or_list,    // lse or [avg, max]: a string alone is a list of one
  mapping,         // {type: cbam, reduction: 16}
};

struct OptionSpec {
  std::string name;
  OptionType type = OptionType::integer;
  std::string default_value;  // YAML text
  std::string doc;
  bool required = false;             // no default: the spec must give it (default_value is then unused)
  std::optional<double> min, max;    // integer and number options, and each item of a list of integers
  std::vector<std::string> allowed;  // text options, and each item of a list of strings; empty: any
};

// What a value of this type looks like, for errors and schemas: "an integer", "a list of strings", ...
std::string option_type_name(OptionType type);
// Whether `value` is a value of `type` (never throws; a missing node is of no type).
bool option_value_fits(const YAML::Node& value, OptionType type);
// "one of: a, b", "range: 1 to 4", "range: at least 0", or "" when the option has no constraint.
std::string option_constraint_text(const OptionSpec& spec);
// The range and the allowed values of a value already known to be of the option's type. `what`
// names the option in the message ("'optim.lr'"); `at` is where the value is, and `item_at`
// gives each list item's place.
void check_option_constraints(const OptionSpec& spec, const YAML::Node& value, const std::string& what, const std::string& at,
                              const std::function<std::string(const YAML::Node&)>& item_at);

// The values of one layer spec by option name, type-checked, and `where` the spec is (for errors).
struct OptionValues {
  std::map<std::string, YAML::Node> nodes;
  std::string where;
};

}  // namespace gaze
