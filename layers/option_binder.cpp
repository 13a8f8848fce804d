#include "layers/option_binder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "framework/error.h"
#include "layers/option_spec.h"
#include "layers/yaml_values.h"

namespace gaze {

int ChoiceNames::value_of(const std::string& name) const {
  for (size_t i = 0; i < choices.size(); ++i)
    if (choices[i].name == name) return static_cast<int>(i);
  std::vector<std::string> listed;
  for (const auto& c : choices) listed.push_back(c.note.empty() ? c.name : fmt::format("{} ({})", c.name, c.note));
  fail("{}: unknown {} '{}'; {}: {}", owner, what, shown_text(name), listed_as, fmt::join(listed, ", "));
}

const std::string& ChoiceNames::name_of(int value) const {
  if (value < 0 || static_cast<size_t>(value) >= choices.size()) fail("{}: {} {} has no name", owner, what, value);
  return choices[value].name;
}

std::vector<std::string> ChoiceNames::names() const {
  std::vector<std::string> out;
  for (const auto& c : choices) out.push_back(c.name);
  return out;
}

namespace {

std::string list_text(const std::vector<std::string>& items) {
  if (items.size() == 1) return items[0];
  return fmt::format("[{}]", fmt::join(items, ", "));
}

std::string list_text(const std::vector<int64_t>& items) {
  std::vector<std::string> texts;
  for (int64_t v : items) texts.push_back(std::to_string(v));
  return list_text(texts);
}

OptionSpec spec_of(const char* name, OptionType type, std::string value, const char* doc, bool required = false) {
  OptionSpec spec;
  spec.name = name;
  spec.type = type;
  spec.default_value = std::move(value);
  spec.doc = doc;
  spec.required = required;
  return spec;
}

// The values were type-checked against the same declaration when the spec was, so a read that
// fails is a declaration read as another type than it was checked as.
template <typename T>
T checked(std::optional<T> value, const char* name) {
  if (!value) fail("layer option '{}' does not hold a value of its declared type", name);
  return *value;
}

std::vector<int64_t> integers_of(const YAML::Node& v, const char* name) {
  if (const auto one = yaml_integer(v)) return {*one};
  return checked(yaml_integers(v), name);
}

}  // namespace

const YAML::Node* OptionBinder::given(const char* name) const {
  if (!values_) return nullptr;
  auto it = values_->nodes.find(name);
  return it == values_->nodes.end() ? nullptr : &it->second;
}

std::string OptionBinder::place_of(const YAML::Node& value) const { return yaml_position(value, values_->where); }

void OptionBinder::required(const char* name, int64_t& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::integer, std::to_string(field), doc, /*required=*/true));
  option(name, field, doc);
}

void OptionBinder::required(const char* name, std::vector<int64_t>& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::integer_or_list, list_text(field), doc, /*required=*/true));
  option(name, field, doc);
}

void OptionBinder::option(const char* name, int64_t& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::integer, std::to_string(field), doc));
  if (const YAML::Node* v = given(name)) field = checked(yaml_integer(*v), name);
}

void OptionBinder::option(const char* name, int& field, const char* doc) {
  int64_t wide = field;
  option(name, wide, doc);
  field = static_cast<int>(wide);
}

void OptionBinder::option(const char* name, double& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::number, fmt::format("{}", field), doc));
  if (const YAML::Node* v = given(name)) field = checked(yaml_number(*v), name);
}

void OptionBinder::option(const char* name, bool& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::boolean, field ? "true" : "false", doc));
  if (const YAML::Node* v = given(name)) field = checked(yaml_boolean(*v), name);
}

void OptionBinder::option(const char* name, std::vector<int64_t>& field, const char* doc) {
  if (out_) return out_->push_back(spec_of(name, OptionType::integer_or_list, list_text(field), doc));
  if (const YAML::Node* v = given(name)) field = integers_of(*v, name);
}

void OptionBinder::choice(const char* name, int& value, const ChoiceNames& names, const char* doc) {
  if (out_) {
    out_->push_back(spec_of(name, OptionType::text, names.name_of(value), doc));
    out_->back().allowed = names.names();
    return;
  }
  const YAML::Node* v = given(name);
  if (!v) return;
  try {
    value = names.value_of(checked(yaml_text(*v), name));
  } catch (const Error& e) {
    fail("{}: {}", place_of(*v), e.what());
  }
}

void OptionBinder::choices(const char* name, std::vector<int>& values, const ChoiceNames& names, const char* doc) {
  if (out_) {
    std::vector<std::string> listed;
    for (int v : values) listed.push_back(names.name_of(v));
    out_->push_back(spec_of(name, OptionType::text_or_list, list_text(listed), doc));
    out_->back().allowed = names.names();
    return;
  }
  const YAML::Node* v = given(name);
  if (!v) return;
  values.clear();
  auto add = [&](const YAML::Node& item) {
    try {
      values.push_back(names.value_of(checked(yaml_text(item), name)));
    } catch (const Error& e) {
      fail("{}: {}", place_of(item), e.what());
    }
  };
  if (v->IsSequence()) {
    for (const auto& item : *v) add(item);
  } else {
    add(*v);
  }
}

}  // namespace gaze
