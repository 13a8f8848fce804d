#include "layers/option_spec.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "framework/error.h"
#include "framework/suggest.h"
#include "layers/yaml_values.h"

namespace gaze {

std::string option_type_name(OptionType type) {
  switch (type) {
    case OptionType::integer: return "an integer";
    case OptionType::number: return "a number";
    case OptionType::boolean: return "true or false";
    case OptionType::text: return "a string";
    case OptionType::integer_list: return "a list of integers";
    case OptionType::text_list: return "a list of strings";
    case OptionType::integer_or_list: return "an integer or a list of integers";
    case OptionType::text_or_list: return "a string or a list of strings";
    case OptionType::mapping: return "a mapping";
  }
  return "?";
}

bool option_value_fits(const YAML::Node& value, OptionType type) {
  switch (type) {
    case OptionType::integer: return yaml_integer(value).has_value();
    case OptionType::number: return yaml_number(value).has_value();
    case OptionType::boolean: return yaml_boolean(value).has_value();
    case OptionType::text: return yaml_text(value).has_value();
    case OptionType::integer_list: return yaml_integers(value).has_value();
    case OptionType::text_list: return yaml_texts(value).has_value();
    case OptionType::integer_or_list: return yaml_integer(value).has_value() || yaml_integers(value).has_value();
    case OptionType::text_or_list: return yaml_text(value).has_value() || yaml_texts(value).has_value();
    case OptionType::mapping: return value.IsDefined() && value.IsMap();
  }
  return false;
}

namespace {

std::string number_text(double v) { return fmt::format("{}", v); }

std::string range_text(const OptionSpec& spec) {
  if (spec.min && spec.max) return fmt::format("between {} and {}", *spec.min, *spec.max);
  if (spec.min) return fmt::format("at least {}", *spec.min);
  return fmt::format("at most {}", *spec.max);
}

void check_number(const OptionSpec& spec, double v, const std::string& at, const std::string& what) {
  if ((spec.min && v < *spec.min) || (spec.max && v > *spec.max)) fail("{}: {} must be {}, got {}", at, what, range_text(spec), v);
}

void check_allowed(const OptionSpec& spec, const std::string& v, const std::string& at, const std::string& what) {
  if (spec.allowed.empty() || std::find(spec.allowed.begin(), spec.allowed.end(), v) != spec.allowed.end()) return;
  fail("{}: {} must be one of {}, got '{}'{}", at, what, fmt::join(spec.allowed, ", "), shown_text(v), did_you_mean(v, spec.allowed));
}

}  // namespace

std::string option_constraint_text(const OptionSpec& spec) {
  if (!spec.allowed.empty()) return fmt::format("one of: {}", fmt::join(spec.allowed, ", "));
  if (spec.min && spec.max) return fmt::format("range: {} to {}", number_text(*spec.min), number_text(*spec.max));
  if (spec.min) return fmt::format("range: at least {}", number_text(*spec.min));
  if (spec.max) return fmt::format("range: at most {}", number_text(*spec.max));
  return "";
}

void check_option_constraints(const OptionSpec& spec, const YAML::Node& value, const std::string& what, const std::string& at,
                              const std::function<std::string(const YAML::Node&)>& item_at) {
  const std::string each = fmt::format("each item of {}", what);
  switch (spec.type) {
    case OptionType::integer: check_number(spec, static_cast<double>(*yaml_integer(value)), at, what); break;
    case OptionType::number: check_number(spec, *yaml_number(value), at, what); break;
    case OptionType::text: check_allowed(spec, *yaml_text(value), at, what); break;
    case OptionType::integer_or_list:
      if (const auto one = yaml_integer(value)) {
        check_number(spec, static_cast<double>(*one), at, what);
        break;
      }
      [[fallthrough]];
    case OptionType::integer_list:
      for (const auto& item : value) check_number(spec, static_cast<double>(*yaml_integer(item)), item_at(item), each);
      break;
    case OptionType::text_or_list:
      if (const auto one = yaml_text(value)) {
        check_allowed(spec, *one, at, what);
        break;
      }
      [[fallthrough]];
    case OptionType::text_list:
      for (const auto& item : value) check_allowed(spec, *yaml_text(item), item_at(item), each);
      break;
    case OptionType::boolean:
    case OptionType::mapping: break;
  }
}

}  // namespace gaze
