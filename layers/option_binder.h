// Each layer's options are declared once, in its options struct, next to the fields:
//
//   struct SqueezeExcitationOptions {
//     int64_t channels = 0;
//     int64_t reduction = 16;
//     void declare(OptionBinder& b) {
//       b.required("channels", channels, "input channels");
//       b.option("reduction", reduction, "hidden width = channels / reduction");
//     }
//   };
//
// The same declare() serves two purposes: a describing binder collects each option's name, type,
// doc and current value (a default-constructed struct gives the defaults: `gaze config`'s layer
// schema, docs/layers.md's tables), and a reading binder sets each field from a YAML spec
// the registry has already type-checked. A field of an enum type is a choice among names
// (ChoiceNames); the YAML names of an enum are listed once, next to it.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace YAML {
class Node;
}

namespace gaze {

struct OptionSpec;
struct OptionValues;

// The YAML names of an enum's values, in the enum's order (the value 0 is choices[0]).
struct ChoiceNames {
  struct Choice {
    std::string name;
    std::string note;  // shown after the name in errors, e.g. "(the paper)"; may be empty
  };
  std::string owner;      // the layer named in errors: "NonLocal"
  std::string what;       // "mode"
  std::string listed_as;  // the word before the list in errors: "modes"
  std::vector<Choice> choices;

  // The value named `name`; any other name is a gaze::Error listing the valid ones:
  // "NonLocal: unknown mode 'dot'; modes: gaussian, embedded_gaussian, dot_product, concatenation".
  int value_of(const std::string& name) const;
  const std::string& name_of(int value) const;
  std::vector<std::string> names() const;
};

// Each enum E used as an option has `const ChoiceNames& choice_names(E)` beside it; these read it.
template <typename E>
const std::string& name_of(E value) {
  return choice_names(E{}).name_of(static_cast<int>(value));
}
template <typename E>
E parse_choice(const std::string& name) {
  return static_cast<E>(choice_names(E{}).value_of(name));
}

class OptionBinder {
 public:
  // Describing: each declared option is appended to `out`, its default_value the field's value.
  explicit OptionBinder(std::vector<OptionSpec>& out) : out_(&out) {}
  // Reading: each field whose option `values` holds is set from it; the others keep their value.
  explicit OptionBinder(const OptionValues& values) : values_(&values) {}

  // An option the spec must give (a model may fill it in: a layer's channels).
  void required(const char* name, int64_t& field, const char* doc);
  void required(const char* name, std::vector<int64_t>& field, const char* doc);  // a list of integers

  void option(const char* name, int64_t& field, const char* doc);
  void option(const char* name, int& field, const char* doc);
  void option(const char* name, double& field, const char* doc);
  void option(const char* name, bool& field, const char* doc);
  // One integer for every spatial dim, or one per dim (a convolution's kernel, stride, ...).
  void option(const char* name, std::vector<int64_t>& field, const char* doc);
  // A choice among the enum's names.
  template <typename E>
    requires std::is_enum_v<E>
  void option(const char* name, E& field, const char* doc) {
    int value = static_cast<int>(field);
    choice(name, value, choice_names(E{}), doc);
    field = static_cast<E>(value);
  }
  // Several of the enum's names, in order: a list, or one name alone.
  template <typename E>
    requires std::is_enum_v<E>
  void option(const char* name, std::vector<E>& field, const char* doc) {
    std::vector<int> values;
    for (E v : field) values.push_back(static_cast<int>(v));
    choices(name, values, choice_names(E{}), doc);
    field.clear();
    for (int v : values) field.push_back(static_cast<E>(v));
  }

 private:
  void choice(const char* name, int& value, const ChoiceNames& names, const char* doc);
  void choices(const char* name, std::vector<int>& values, const ChoiceNames& names, const char* doc);
  // Reading: the value the spec gives for `name`, or null (describing: always null).
  const YAML::Node* given(const char* name) const;
  // Errors while reading a value name its place in the spec.
  std::string place_of(const YAML::Node& value) const;

  std::vector<OptionSpec>* out_ = nullptr;
  const OptionValues* values_ = nullptr;
};

}  // namespace gaze
