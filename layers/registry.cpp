#include "layers/registry.h"

#include <algorithm>
#include <mutex>

#include "framework/error.h"
#include "framework/suggest.h"

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
  bool list = t == OptionType::integers || t == OptionType::texts;
  if (!v.IsScalar() && !(list && v.IsSequence())) return false;
  try {
    switch (t) {
      case OptionType::integer: v.as<int64_t>(); return true;
      case OptionType::number: v.as<double>(); return true;
      case OptionType::boolean: v.as<bool>(); return true;
      case OptionType::text: return true;
      case OptionType::integers:
        if (v.IsScalar()) v.as<int64_t>();
        else
          for (const auto& item : v) item.as<int64_t>();
        return true;
      case OptionType::texts:
        if (v.IsSequence())
          for (const auto& item : v)
            if (!item.IsScalar()) return false;
        return true;
    }
  } catch (const YAML::Exception&) {
  }
  return false;
}

std::vector<std::string> option_names(const LayerEntry& e) {
  std::vector<std::string> names;
  for (const auto& o : e.options) names.push_back(o.name);
  return names;
}

}  // namespace

std::string yaml_position(const YAML::Node& node, const std::string& fallback) {
  const YAML::Mark mark = node.Mark();
  if (mark.line < 0) return fallback;
  return fmt::format("{}:{}:{}", fallback, mark.line + 1, mark.column + 1);
}

const YAML::Node& LayerArgs::at(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end()) fail("layer option '{}' was not declared", name);
  return it->second;
}
int64_t LayerArgs::integer(const std::string& name) const { return at(name).as<int64_t>(); }
double LayerArgs::number(const std::string& name) const { return at(name).as<double>(); }
bool LayerArgs::boolean(const std::string& name) const { return at(name).as<bool>(); }
std::string LayerArgs::text(const std::string& name) const { return at(name).as<std::string>(); }
std::vector<int64_t> LayerArgs::integers(const std::string& name) const {
  const YAML::Node& v = at(name);
  if (v.IsScalar()) return {v.as<int64_t>()};
  return v.as<std::vector<int64_t>>();
}
std::vector<std::string> LayerArgs::texts(const std::string& name) const {
  const YAML::Node& v = at(name);
  if (v.IsScalar()) return {v.as<std::string>()};
  return v.as<std::vector<std::string>>();
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
  if (!spec.IsMap()) fail("{}: a layer is a mapping with a 'type' key, e.g. {{type: cbam, channels: 64}}", at);
  if (!spec["type"]) fail("{}: the layer has no 'type'; types: {}", at, fmt::join(layer_types(), ", "));
  std::string type = spec["type"].as<std::string>();
  auto found = entries().find(type);
  if (found == entries().end())
    fail("{}: unknown layer type '{}'{}; types: {}", yaml_position(spec["type"], where), type, did_you_mean(type, layer_types()),
         fmt::join(layer_types(), ", "));
  const LayerEntry& entry = found->second;
  LayerArgs args;
  for (const auto& item : spec) {
    std::string key = item.first.as<std::string>();
    if (key == "type") continue;
    const LayerOption* option = nullptr;
    for (const auto& o : entry.options)
      if (o.name == key) option = &o;
    if (!option)
      fail("{}: unknown option '{}' for layer '{}'{}; options: {}", yaml_position(item.first, where), key, type,
           did_you_mean(key, option_names(entry)), fmt::join(option_names(entry), ", "));
    if (!fits(item.second, option->type))
      fail("{}: option '{}' of layer '{}' must be {}, got '{}'", yaml_position(item.second, where), key, type,
           type_name_of(option->type), YAML::Dump(item.second));
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
    return entries().at(spec["type"].as<std::string>()).build(args);
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
