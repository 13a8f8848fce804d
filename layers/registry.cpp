#include "layers/registry.h"

#include <algorithm>
#include <mutex>

#include "framework/error.h"
#include "framework/suggest.h"
#include "layers/yaml_values.h"

namespace gaze {

void register_builtin_layers();  // layers/builtin_layers.cpp

namespace {

std::map<std::string, LayerEntry>& storage() {
  static std::map<std::string, LayerEntry> registry;
  return registry;
}

// The registry with the built-in layers in it (registered on first use, not by static
// initialisers, whose order across files is unspecified).
std::map<std::string, LayerEntry>& entries() {
  static std::once_flag builtins;
  std::call_once(builtins, [] { register_builtin_layers(); });
  return storage();
}

const char* type_name_of(OptionType t) {
  switch (t) {
    case OptionType::integer: return "an integer";
    case OptionType::number: return "a number";
    case OptionType::boolean: return "true or false";
    case OptionType::text: return "a string";
    case OptionType::integers: return "an integer or a list of integers";
    case OptionType::texts: return "a string or a list of strings";
  }
  return "?";
}

bool fits(const YAML::Node& v, OptionType t) {
  switch (t) {
    case OptionType::integer: return yaml_integer(v).has_value();
    case OptionType::number: return yaml_number(v).has_value();
    case OptionType::boolean: return yaml_boolean(v).has_value();
    case OptionType::text: return yaml_text(v).has_value();
    case OptionType::integers: return yaml_integer(v).has_value() || yaml_integers(v).has_value();
    case OptionType::texts: return yaml_text(v).has_value() || yaml_texts(v).has_value();
  }
  return false;
}

std::vector<std::string> option_names(const LayerEntry& e) {
  std::vector<std::string> names;
  for (const auto& o : e.options) names.push_back(o.name);
  return names;
}

}  // namespace

const YAML::Node& LayerArgs::at(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) fail("layer option '{}' was not declared", name);
  return it->second;
}
// The values were type-checked when the spec was (checked_args), so a read that fails is a
// layer asking for an option as another type than it declared.
namespace {
template <typename T>
T declared(std::optional<T> value, const std::string& name, const char* type) {
  if (!value) fail("layer option '{}' is read as {}, which it was not declared as", name, type);
  return *value;
}
}  // namespace

int64_t LayerArgs::integer(const std::string& name) const { return declared(yaml_integer(at(name)), name, "an integer"); }
double LayerArgs::number(const std::string& name) const { return declared(yaml_number(at(name)), name, "a number"); }
bool LayerArgs::boolean(const std::string& name) const { return declared(yaml_boolean(at(name)), name, "true or false"); }
std::string LayerArgs::text(const std::string& name) const { return declared(yaml_text(at(name)), name, "a string"); }
std::vector<int64_t> LayerArgs::integers(const std::string& name) const {
  const YAML::Node& v = at(name);
  if (const auto one = yaml_integer(v)) return {*one};
  return declared(yaml_integers(v), name, "a list of integers");
}
std::vector<std::string> LayerArgs::texts(const std::string& name) const {
  const YAML::Node& v = at(name);
  if (const auto one = yaml_text(v)) return {*one};
  return declared(yaml_texts(v), name, "a list of strings");
}

void register_layer(LayerEntry entry) {
  auto& all = storage();
  if (all.count(entry.type)) fail("register_layer: a layer type '{}' is already registered", entry.type);
  all[entry.type] = std::move(entry);
}

std::vector<std::string> layer_types() {
  std::vector<std::string> names;
  for (const auto& [name, _] : entries()) names.push_back(name);
  return names;
}

const LayerEntry& layer_entry(const std::string& type) {
  auto it = entries().find(type);
  if (it == entries().end())
    fail("unknown layer type '{}'{}; types: {}", type, did_you_mean(type, layer_types()), fmt::join(layer_types(), ", "));
  return it->second;
}

std::shared_ptr<Module> build_layer(const YAML::Node& spec, const std::string& where) { return build_layer(spec, {}, where); }

namespace {

// Checks a spec whole and returns its arguments with defaults filled in. Options named in
// `filled_later` may be missing: the caller provides them (a model gives each attention layer
// its width).
LayerArgs checked_args(const YAML::Node& spec, const std::map<std::string, std::string>& overrides,
                       const std::vector<std::string>& filled_later, const std::string& where) {
  std::string at = yaml_position(spec, where);
  if (!spec.IsMap()) fail("{}: a layer is a mapping with a 'type' key, e.g. {{type: cbam, channels: 64}}, got '{}'", at, yaml_shown(spec));
  const YAML::Node type_node = spec["type"];
  if (!type_node) fail("{}: the layer has no 'type'; types: {}", at, fmt::join(layer_types(), ", "));
  const auto type_text = yaml_text(type_node);
  if (!type_text)
    fail("{}: a layer's 'type' is one name, e.g. cbam, got '{}'; types: {}", yaml_position(type_node, where), yaml_shown(type_node),
         fmt::join(layer_types(), ", "));
  const std::string type = *type_text;
  auto found = entries().find(type);
  if (found == entries().end())
    fail("{}: unknown layer type '{}'{}; types: {}", yaml_position(type_node, where), shown_text(type), did_you_mean(type, layer_types()),
         fmt::join(layer_types(), ", "));
  const LayerEntry& entry = found->second;
  LayerArgs args;
  for (const auto& item : spec) {
    const auto key_text = yaml_text(item.first);
    if (!key_text)
      fail("{}: an option of layer '{}' is named by a plain word, got '{}'; options: {}", yaml_position(item.first, where), type,
           yaml_shown(item.first), fmt::join(option_names(entry), ", "));
    const std::string key = *key_text;
    if (key == "type") continue;
    const LayerOption* option = nullptr;
    for (const auto& o : entry.options)
      if (o.name == key) option = &o;
    if (!option)
      fail("{}: unknown option '{}' for layer '{}'{}; options: {}", yaml_position(item.first, where), shown_text(key), type,
           did_you_mean(key, option_names(entry)), fmt::join(option_names(entry), ", "));
    if (!fits(item.second, option->type))
      fail("{}: option '{}' of layer '{}' must be {}{}, got '{}'", yaml_position(item.second, where), key, type, type_name_of(option->type),
           yaml_is_nonfinite(item.second) ? " (a finite one)" : "", yaml_shown(item.second));
    args.values[key] = item.second;
  }
  for (const auto& [key, text] : overrides) {
    bool declared = false;
    for (const auto& o : entry.options) declared = declared || o.name == key;
    if (declared) args.values[key] = YAML::Load(text);
  }
  for (const auto& o : entry.options) {
    if (args.values.count(o.name)) continue;
    bool later = std::find(filled_later.begin(), filled_later.end(), o.name) != filled_later.end();
    if (o.default_value.empty() && !later) fail("{}: layer '{}' needs option '{}' ({})", at, type, o.name, o.doc);
    if (!o.default_value.empty()) args.values[o.name] = YAML::Load(o.default_value);
  }
  return args;
}

}  // namespace

void check_layer_spec(const YAML::Node& spec, const std::vector<std::string>& filled_later, const std::string& where) {
  checked_args(spec, {}, filled_later, where);
}

std::shared_ptr<Module> build_layer(const YAML::Node& spec, const std::map<std::string, std::string>& overrides,
                                    const std::string& where) {
  LayerArgs args = checked_args(spec, overrides, {}, where);
  try {
    return entries().at(*yaml_text(spec["type"])).build(args);
  } catch (const Error& e) {
    fail("{}: {}", yaml_position(spec, where), e.what());
  }
}

std::string describe_layers() {
  std::string out;
  for (const auto& [type, e] : entries()) {
    out += fmt::format("{}: {}\n", type, e.doc);
    for (const auto& o : e.options)
      out += fmt::format("  {:<16} {:<30} default {:<18} {}\n", o.name, type_name_of(o.type),
                         o.default_value.empty() ? "(required)" : o.default_value, o.doc);
  }
  return out;
}

}  // namespace gaze
