#include "trainers/lib/config/config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include "framework/error.h"
#include "framework/suggest.h"
#include "layers/registry.h"
#include "layers/yaml_values.h"
#include "trainers/lib/config/bases.h"
#include "trainers/lib/config/schema.h"

namespace gaze {

namespace {

// In a section of a file with bases: replace the bases' section instead of merging into it.
constexpr const char* kDeleteKey = "_delete_";

std::vector<std::string> dotted_keys() {
  std::vector<std::string> keys;
  for (const auto& k : all_config_keys()) keys.push_back(k.dotted());
  return keys;
}

std::vector<std::string> section_keys(const std::string& section) {
  std::vector<std::string> keys;
  for (const auto& k : config_schema())
    if (k.section == section) keys.push_back(k.name);
  return keys;
}

// Type, range and allowed values of one key's value; `file` names the place when the node has a
// position, `at` otherwise.
void check_value(const ConfigKey& k, const YAML::Node& v, const std::string& file, const std::string& at) {
  const std::string where = file.empty() ? at : yaml_position(v, file);
  if (!option_value_fits(v, k.type)) {
    // .nan and .inf are YAML numbers, but a run given one dies at its first steps: refused here.
    const bool nonfinite = k.type == OptionType::number && yaml_is_nonfinite(v);
    fail("{}: '{}' must be {}, got '{}'", where, k.dotted(), nonfinite ? "a finite number" : option_type_name(k.type), yaml_shown(v));
  }
  check_option_constraints(k, v, fmt::format("'{}'", k.dotted()), where,
                           [&](const YAML::Node& item) { return file.empty() ? at : yaml_position(item, file); });
}

const ConfigKey& known_key(const std::string& dotted, const std::string& at) {
  const ConfigKey* k = find_config_key(dotted);
  if (!k) fail("{}: unknown key '{}'{}", at, shown_text(dotted), did_you_mean(dotted, dotted_keys()));
  return *k;
}

// model.attention is a layer spec: checked by the layer registry now, so an unknown type or
// option is reported with the file's position before anything is built. The model fills in
// each layer's channels.
void check_attention_spec(const std::string& dotted, const YAML::Node& value, const std::string& source) {
  if (dotted != "model.attention" || !value.IsMap() || value.size() == 0) return;
  if (value[kDeleteKey])
    fail("{}: model.attention replaces a base's spec whole (a layer's options depend on its type): drop '{}'",
         yaml_position(value, source), kDeleteKey);
  check_layer_spec(value, {"channels"}, source);
}

// A key the file or a --set gives, and where: its position, or the flag.
struct GivenKey {
  std::string dotted, at;
};

// A key given again (a file over its base, a --set over the file) keeps one entry, at its last place.
void note_given(std::vector<GivenKey>& given, const std::string& dotted, const std::string& at) {
  for (auto& g : given)
    if (g.dotted == dotted) {
      g.at = at;
      return;
    }
  given.push_back({dotted, at});
}

// `_delete_: true` in a section: the bases' keys of that section are dropped (back to the
// defaults), so the file's own keys replace the section whole instead of merging into it.
bool replaces_section(const YAML::Node& section, const std::string& name, const std::string& path) {
  for (const auto& item : section) {
    if (!item.first.IsScalar() || item.first.Scalar() != kDeleteKey) continue;
    const auto replace = yaml_boolean(item.second);
    if (!replace)
      fail("{}: '{}' in section '{}' is true (this file's '{}' replaces its bases' whole) or false, got '{}'",
           yaml_position(item.second, path), kDeleteKey, name, name, yaml_shown(item.second));
    return *replace;
  }
  return false;
}

void reset_section(Config& config, const std::string& name, std::vector<GivenKey>& given) {
  for (const auto& k : all_config_keys()) {
    if (k.section != name) continue;
    config.values.erase(k.dotted());  // a component's key comes back with its default if its component is chosen
    config.origins.erase(k.dotted());
  }
  for (const auto& k : config_schema())
    if (k.section == name) config.values[k.dotted()] = YAML::Load(k.default_value);
  std::erase_if(given, [&](const GivenKey& g) { return g.dotted.rfind(name + ".", 0) == 0; });
}

// One file of the config's chain: its sections' keys override what the defaults and the files
// before it (its bases) set, key by key.
void apply_layer(Config& config, const ConfigLayer& layer, std::vector<GivenKey>& given) {
  const YAML::Node& root = layer.root;
  const std::string& path = layer.path;
  // An empty file (or one of comments) would train the defaults: almost surely the wrong file.
  if (root.IsNull())
    fail("{}: the config is empty (no sections); name at least one, e.g. 'train: {{epochs: 3}}' (`gaze config --explain` lists them)",
         path);
  if (!root.IsMap()) fail("{}: a config is a mapping of sections ({})", yaml_position(root, path), fmt::join(config_sections(), ", "));
  const auto sections = config_sections();
  for (const auto& section : root) {
    if (!section.first.IsScalar())
      fail("{}: a section name must be a string, got '{}'", yaml_position(section.first, path), yaml_shown(section.first));
    const std::string name = section.first.Scalar();
    if (name == kBaseKey) continue;  // read by config_layers
    if (std::find(sections.begin(), sections.end(), name) == sections.end())
      fail("{}: unknown section '{}'{}; sections: {}", yaml_position(section.first, path), shown_text(name), did_you_mean(name, sections),
           fmt::join(sections, ", "));
    if (section.second.IsNull()) continue;  // `train:` with nothing under it
    if (!section.second.IsMap())
      fail("{}: section '{}' must be a mapping of keys ({})", yaml_position(section.second, path), name,
           fmt::join(section_keys(name), ", "));
    if (replaces_section(section.second, name, path)) reset_section(config, name, given);
    for (const auto& item : section.second) {
      if (!item.first.IsScalar())
        fail("{}: a key must be a string, got '{}'", yaml_position(item.first, path), yaml_shown(item.first));
      if (item.first.Scalar() == kDeleteKey) continue;
      const std::string dotted = name + "." + item.first.Scalar();
      const ConfigKey& k = known_key(dotted, yaml_position(item.first, path));
      check_value(k, item.second, path, "");
      check_attention_spec(dotted, item.second, path);
      config.values[dotted] = item.second;
      config.origins[dotted] = yaml_position(item.second, path);
      note_given(given, dotted, yaml_position(item.first, path));
    }
  }
}

void apply_file(Config& config, const std::string& path, std::vector<GivenKey>& given) {
  for (const ConfigLayer& layer : config_layers(path)) apply_layer(config, layer, given);
}

void apply_override(Config& config, const std::string& text, std::vector<GivenKey>& given) {
  const std::string flag = fmt::format("--set '{}'", text);
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    fail("{}: expected section.key=value, e.g. --set optim.lr=0.05", flag);
  const std::string dotted = text.substr(0, eq);
  if (dotted.find('.') == std::string::npos)
    fail("{}: '{}' is not a dotted key; expected section.key=value, e.g. --set optim.lr=0.05", flag, dotted);
  const ConfigKey& k = known_key(dotted, flag);
  YAML::Node value;
  try {
    value = parse_yaml(text.substr(eq + 1), "");
  } catch (const Error& e) {
    fail("{}: the value is not valid YAML: {}", flag, e.what());
  }
  check_value(k, value, "", flag);
  check_attention_spec(dotted, value, flag);
  config.values[dotted] = value;
  config.origins[dotted] = fmt::format("--set {}", text);
  note_given(given, dotted, flag);
}

bool has(const std::vector<std::string>& list, const std::string& item) { return std::find(list.begin(), list.end(), item) != list.end(); }

// "c2d, i3d or tsn"
std::string listed_with_or(const std::vector<std::string>& names) {
  std::string list;
  for (size_t i = 0; i < names.size(); ++i) list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return list;
}

// Why a key the config gives is not one of its keys: "data.cameras is read by dataset
// reid_tracklets; this config's data.dataset is fashion_mnist".
std::string not_read_here(const Config& config, const std::string& dotted) {
  std::vector<std::string> kinds, choosers, chosen;
  std::map<std::string, std::vector<std::string>> owners;  // kind → its components that read the key
  for (const auto& c : config_components()) {
    if (std::none_of(c.keys.begin(), c.keys.end(), [&](const ConfigKey& k) { return k.dotted() == dotted; })) continue;
    const auto values = chosen_when(c);
    if (!has(kinds, c.kind)) kinds.push_back(c.kind);
    owners[c.kind].push_back(values == std::vector<std::string>{c.name} ? c.name
                                                                        : fmt::format("{} ({} {})", c.name, c.chosen_by, fmt::join(values, ", ")));
    if (has(choosers, c.chosen_by)) continue;
    choosers.push_back(c.chosen_by);
    auto it = config.values.find(c.chosen_by);
    chosen.push_back(it == config.values.end() ? fmt::format("this config has no {} (its components do not read it)", c.chosen_by)
                                               : fmt::format("this config's {} is {}", c.chosen_by, yaml_shown(it->second)));
  }
  std::vector<std::string> readers;  // "datasets action_clips, reid_tracklets"
  for (const auto& kind : kinds)
    readers.push_back(fmt::format("{}{} {}", kind, owners[kind].size() > 1 ? "s" : "", fmt::join(owners[kind], ", ")));
  return fmt::format("{} is read by {}; {}", dotted, fmt::join(readers, " and "), fmt::join(chosen, " and "));
}

// The components the config's values choose (the dataset, its task, the backbone, the head), in
// registration order, with their keys' defaults filled in. A key the config gives that none of
// them reads is an error naming the components that do read it.
void use_components(Config& config, const std::vector<GivenKey>& given, UnreadKeys unread) {
  if (config_components().empty())
    fail("config: no datasets, tasks or backbones are registered; the program must call register_builtin_components() "
         "(trainers/tasks/registry.h) first");
  std::vector<std::string> keys;
  for (const auto& k : config_schema()) keys.push_back(k.dotted());
  for (bool added = true; added;) {  // a chosen component's keys may choose another (model.head)
    added = false;
    for (const auto& c : config_components()) {
      if (config.components.count(c.kind) || !has(keys, c.chosen_by)) continue;
      if (!has(chosen_when(c), yaml_text(config.values.at(c.chosen_by)).value_or(""))) continue;
      config.components[c.kind] = c.name;
      for (const auto& k : c.keys) {
        keys.push_back(k.dotted());
        if (!config.values.count(k.dotted())) config.values[k.dotted()] = YAML::Load(k.default_value);
      }
      added = true;
    }
  }
  // The task's backbones first: a backbone of another task makes every other mismatch follow.
  for (const auto& c : config_components()) {
    auto chosen = config.components.find(c.kind);
    if (chosen == config.components.end() || chosen->second != c.name || c.backbones.empty()) continue;
    const std::string backbone = config.text("model.backbone");
    if (!has(c.backbones, backbone))
      fail("{}: {} {} trains {}, not '{}'", config.where("model.backbone"), c.chosen_by, config.text(c.chosen_by),
           listed_with_or(c.backbones), backbone);
  }
  for (const auto& g : given) {
    if (has(keys, g.dotted)) continue;
    if (unread == UnreadKeys::refuse) fail("{}: {}", g.at, not_read_here(config, g.dotted));
    config.values.erase(g.dotted);
    config.origins.erase(g.dotted);
  }
}

// log.name becomes a directory when the run starts; a name the file system refuses is refused
// now, before anything is created.
void check_run_name(const Config& config) {
  const std::string name = config.text("log.name");
  const std::string at = config.where("log.name");
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    fail("{}: 'log.name' '{}' must be a plain directory name (no '/')", at, name);
  if (name.size() > 255)
    fail("{}: 'log.name' is {} bytes long; a directory name is at most 255 bytes", at, name.size());
  for (const char* key : {"log.name", "log.dir", "data.root"}) {
    const std::string value = config.text(key);
    if (value.find('\0') != std::string::npos || value.find('\n') != std::string::npos)
      fail("{}: '{}' must be one line of text without NUL characters, got '{}'", config.where(key), key, yaml_shown(config.node(key)));
  }
}

// Checks that span keys, after every override is in.
void check_consistent(const Config& config) {
  check_run_name(config);
  const auto widths = config.integers("model.widths");
  const auto strides = config.integers("model.strides");
  if (widths.empty()) fail("{}: 'model.widths' needs at least one stage", config.where("model.widths"));
  // dilated_fcn's strides are fixed by its output stride of 8 (segmentation_nets.h); a model.depth
  // sets the widths itself (trainers/tasks/backbone_scale.h).
  const bool depth_sets_widths = config.values.count("model.depth") && config.integer("model.depth") != 0;
  if (widths.size() != strides.size() && config.text("model.backbone") != "dilated_fcn" && !depth_sets_widths) {
    const std::string at = config.where("model.strides") != "default" ? config.where("model.strides") : config.where("model.widths");
    fail("{}: 'model.widths' has {} entries and 'model.strides' {}: one stride per stage", at, widths.size(), strides.size());
  }
  const auto milestones = config.integers("schedule.milestones");
  if (!std::is_sorted(milestones.begin(), milestones.end()))
    fail("{}: 'schedule.milestones' must be in increasing order", config.where("schedule.milestones"));
  if (config.text("optim.name") == "sgd" && config.boolean("optim.nesterov") && config.number("optim.momentum") <= 0)
    fail("{}: 'optim.nesterov' needs a positive 'optim.momentum' (set momentum, or nesterov: false)", config.where("optim.nesterov"));
  if (config.number("schedule.warmup_epochs") >= static_cast<double>(config.integer("train.epochs")) &&
      config.number("schedule.warmup_epochs") > 0)
    fail("{}: 'schedule.warmup_epochs' ({}) must be shorter than 'train.epochs' ({})", config.where("schedule.warmup_epochs"),
         config.number("schedule.warmup_epochs"), config.integer("train.epochs"));
}

}  // namespace

const YAML::Node& Config::node(const std::string& key) const {
  auto it = values.find(key);
  if (it != values.end()) return it->second;
  if (find_config_key(key)) fail("config: '{}' is not a key of this config: {}", key, not_read_here(*this, key));
  fail("config: unknown key '{}'{}", key, did_you_mean(key, dotted_keys()));
}

const std::string& Config::component(const std::string& kind) const {
  auto it = components.find(kind);
  if (it == components.end()) fail("config: no {} is chosen (the config was not loaded by load_config)", kind);
  return it->second;
}

std::string Config::where(const std::string& key) const {
  auto it = origins.find(key);
  return it == origins.end() ? "default" : it->second;
}

namespace {
void expect_type(const std::string& key, OptionType type) {
  const ConfigKey* k = find_config_key(key);
  if (!k) fail("config: unknown key '{}'{}", key, did_you_mean(key, dotted_keys()));
  if (k->type != type) fail("config: '{}' is {}, not {}", key, option_type_name(k->type), option_type_name(type));
}

// Values were type-checked when they were set, so these reads cannot fail; `checked` keeps
// that promise visible instead of trusting it.
template <typename T>
T checked(std::optional<T> value, const std::string& key) {
  if (!value) fail("config: '{}' does not hold a value of its schema's type", key);
  return *value;
}
}  // namespace

int64_t Config::integer(const std::string& key) const {
  expect_type(key, OptionType::integer);
  return checked(yaml_integer(node(key)), key);
}
double Config::number(const std::string& key) const {
  expect_type(key, OptionType::number);
  return checked(yaml_number(node(key)), key);
}
bool Config::boolean(const std::string& key) const {
  expect_type(key, OptionType::boolean);
  return checked(yaml_boolean(node(key)), key);
}
std::string Config::text(const std::string& key) const {
  expect_type(key, OptionType::text);
  return checked(yaml_text(node(key)), key);
}
std::vector<int64_t> Config::integers(const std::string& key) const {
  expect_type(key, OptionType::integer_list);
  return checked(yaml_integers(node(key)), key);
}
std::vector<std::string> Config::texts(const std::string& key) const {
  expect_type(key, OptionType::text_list);
  return checked(yaml_texts(node(key)), key);
}

std::string Config::to_yaml() const {
  YAML::Emitter out;
  out << YAML::BeginMap;
  for (const auto& section : config_sections()) {
    out << YAML::Key << section << YAML::Value << YAML::Block << YAML::BeginMap;
    for (const auto& k : all_config_keys()) {
      if (k.section != section || !values.count(k.dotted())) continue;
      out << YAML::Key << k.name << YAML::Value;
      if (k.type == OptionType::integer_list || k.type == OptionType::text_list || k.type == OptionType::mapping) out << YAML::Flow;
      out << node(k.dotted());
    }
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string Config::to_yaml_with_sources() const {
  struct Line {
    std::string text, source;
  };
  std::vector<Line> lines;
  for (const auto& section : config_sections()) {
    lines.push_back({section + ":", ""});
    for (const auto& k : all_config_keys()) {
      if (k.section != section || !values.count(k.dotted())) continue;
      YAML::Emitter out;  // the same style as to_yaml's: lists and maps in flow style
      out << YAML::BeginMap << YAML::Key << k.name << YAML::Value;
      if (k.type == OptionType::integer_list || k.type == OptionType::text_list || k.type == OptionType::mapping) out << YAML::Flow;
      out << node(k.dotted()) << YAML::EndMap;
      lines.push_back({"  " + std::string(out.c_str()), where(k.dotted())});
    }
  }
  // The comments line up in one column, unless a long value would push them far right.
  size_t column = 0;
  for (const auto& line : lines)
    if (!line.source.empty() && line.text.size() <= 48) column = std::max(column, line.text.size());
  std::string text = "# Each key's value and where it was set: file:line:col, a --set flag, or the schema's default.\n";
  for (const auto& line : lines)
    text += line.source.empty() ? line.text + "\n" : fmt::format("{:<{}}  # {}\n", line.text, column, line.source);
  return text;
}

Config load_config(const std::string& path, const std::vector<std::string>& overrides, UnreadKeys unread) {
  return input_phase([&] {
    Config config;
    for (const auto& k : config_schema()) config.values[k.dotted()] = YAML::Load(k.default_value);
    std::vector<GivenKey> given;
    if (!path.empty()) apply_file(config, path, given);
    for (const auto& text : overrides) apply_override(config, text, given);
    use_components(config, given, unread);
    check_consistent(config);
    return config;
  });
}

}  // namespace gaze
