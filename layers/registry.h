// Layers by YAML name: `{type: cbam, channels: 64, reduction: 16}` builds a CBAM. Every layer
// declares its options with a type, a default and a one-line doc; a spec is checked whole before
// anything is built, and an unknown type or option, or a value of the wrong type, is one error
// naming the place (file:line:col when the YAML came from a file), the bad name and the valid
// ones.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "layers/yaml_values.h"

namespace gaze {

enum class OptionType { integer, number, boolean, text, integers, texts };

struct LayerOption {
  std::string name;
  OptionType type;
  std::string default_value;  // YAML text; empty means required
  std::string doc;
};

// The options of one spec, defaults filled in, already type-checked.
class LayerArgs {
 public:
  int64_t integer(const std::string& name) const;
  double number(const std::string& name) const;
  bool boolean(const std::string& name) const;
  std::string text(const std::string& name) const;
  std::vector<int64_t> integers(const std::string& name) const;
  std::vector<std::string> texts(const std::string& name) const;  // a string alone is a list of one
  std::map<std::string, YAML::Node> values;

 private:
  const YAML::Node& at(const std::string& name) const;
};

struct LayerEntry {
  std::string type;  // the YAML name
  std::string doc;
  std::vector<LayerOption> options;
  std::function<std::shared_ptr<Module>(const LayerArgs&)> build;
};

void register_layer(LayerEntry entry);
std::vector<std::string> layer_types();
const LayerEntry& layer_entry(const std::string& type);
// `where` names the spec in errors when its node has no file position (e.g. "model.attention").
std::shared_ptr<Module> build_layer(const YAML::Node& spec, const std::string& where = "layer");
// Extra options a caller fills in (e.g. channels from the model's width), overriding the spec.
std::shared_ptr<Module> build_layer(const YAML::Node& spec, const std::map<std::string, std::string>& overrides,
                                    const std::string& where = "layer");
// Validates a spec as build_layer does, without building it; options in `filled_later` may be
// missing (the caller will provide them, e.g. a model gives each attention layer its channels).
void check_layer_spec(const YAML::Node& spec, const std::vector<std::string>& filled_later, const std::string& where);
// The schema: every type with its options, types, defaults and docs.
std::string describe_layers();

}  // namespace gaze
