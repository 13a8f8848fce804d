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

std::vector<std::string> option_names(const LayerEntry& e) {
  std::vector<std::string> names;
  for (const auto& o : e.options) names.push_back(o.name);
  return names;
}

}  // namespace

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

// Checks a spec whole and returns the values it gives (an option it leaves out keeps its options
// struct's default). Options named in `filled_later` may be missing: the caller provides them (a
// model gives each attention layer its width).
OptionValues checked_values(const YAML::Node& spec, const std::map<std::string, std::string>& overrides,
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
  OptionValues values;
  values.where = where;
  for (const auto& item : spec) {
    const auto key_text = yaml_text(item.first);
    if (!key_text)
      fail("{}: an option of layer '{}' is named by a plain word, got '{}'; options: {}", yaml_position(item.first, where), type,
           yaml_shown(item.first), fmt::join(option_names(entry), ", "));
    const std::string key = *key_text;
    if (key == "type") continue;
    const OptionSpec* option = nullptr;
    for (const auto& o : entry.options)
      if (o.name == key) option = &o;
    if (!option)
      fail("{}: unknown option '{}' for layer '{}'{}; options: {}", yaml_position(item.first, where), shown_text(key), type,
           did_you_mean(key, option_names(entry)), fmt::join(option_names(entry), ", "));
    if (!option_value_fits(item.second, option->type))
      fail("{}: option '{}' of layer '{}' must be {}{}, got '{}'", yaml_position(item.second, where), key, type, option_type_name(option->type),
           yaml_is_nonfinite(item.second) ? " (a finite one)" : "", yaml_shown(item.second));
    values.nodes[key] = item.second;
  }
  for (const auto& [key, text] : overrides) {
    bool declared = false;
    for (const auto& o : entry.options) declared = declared || o.name == key;
    if (declared) values.nodes[key] = YAML::Load(text);
  }
  for (const auto& o : entry.options) {
    bool later = std::find(filled_later.begin(), filled_later.end(), o.name) != filled_later.end();
    if (o.required && !values.nodes.count(o.name) && !later) fail("{}: layer '{}' needs option '{}' ({})", at, type, o.name, o.doc);
  }
  // The names of choices (a Non-local mode, CBAM's pool types) are checked by reading them.
  entry.read(values);
  return values;
}

}  // namespace

void check_layer_spec(const YAML::Node& spec, const std::vector<std::string>& filled_later, const std::string& where) {
  checked_values(spec, {}, filled_later, where);
}

std::shared_ptr<Module> build_layer(const YAML::Node& spec, const std::map<std::string, std::string>& overrides,
                                    const std::string& where) {
  const OptionValues values = checked_values(spec, overrides, {}, where);
  try {
    return entries().at(*yaml_text(spec["type"])).build(values);
  } catch (const Error& e) {
    fail("{}: {}", yaml_position(spec, where), e.what());
  }
}

std::string describe_layers() {
  std::string out;
  for (const auto& [type, e] : entries()) {
    out += fmt::format("{}: {}\n", type, e.doc);
    for (const auto& o : e.options) {
      out += fmt::format("  {:<18} {:<32} default {:<18} {}\n", o.name, option_type_name(o.type), o.required ? "(required)" : o.default_value,
                         o.doc);
      const std::string constraint = option_constraint_text(o);
      if (!constraint.empty()) out += fmt::format("      {}\n", constraint);
    }
  }
  return out;
}

std::string layer_options_table(const std::string& type) {
  const LayerEntry& e = layer_entry(type);
  std::string out = "| option | type | default | doc |\n|---|---|---|---|\n";
  for (const auto& o : e.options) {
    const std::string constraint = option_constraint_text(o);
    out += fmt::format("| {} | {} | {} | {}{} |\n", o.name, option_type_name(o.type), o.required ? "required" : o.default_value, o.doc,
                       constraint.empty() ? "" : fmt::format(" ({})", constraint));
  }
  return out;
}

}  // namespace gaze
