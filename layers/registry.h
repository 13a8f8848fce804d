// Layers by YAML name: `{type: cbam, channels: 64, reduction: 16}` builds a CBAM. Every layer's
// options are declared once, by its options struct's declare() (layers/option_binder.h): a name, a
// type, a default and a one-line doc each. A spec is checked whole before anything is built, and an
// unknown type or option, a value of the wrong type, or an unknown name of a choice is one error
// naming the place (file:line:col when the YAML came from a file), the bad name and the valid ones.
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "layers/option_binder.h"
#include "layers/option_spec.h"

namespace gaze {

// The options an options struct declares, each with the value its field holds in `options`
// (a default-constructed struct gives the defaults).
template <typename Options>
std::vector<OptionSpec> describe_options(Options options) {
  std::vector<OptionSpec> specs;
  OptionBinder binder(specs);
  options.declare(binder);
  return specs;
}

// A default-constructed struct with the fields `values` gives set from them.
template <typename Options>
Options read_options(const OptionValues& values) {
  Options options;
  OptionBinder binder(values);
  options.declare(binder);
  return options;
}

struct LayerEntry {
  std::string type;  // the YAML name
  std::string doc;
  std::vector<OptionSpec> options;  // defaults filled in
  // Sets the options struct's fields from the values (failing on a bad choice name) without building.
  std::function<void(const OptionValues&)> read;
  std::function<std::shared_ptr<Module>(const OptionValues&)> build;
  // The options of a module this entry built, as specs whose default_value is the module's value.
  std::function<std::vector<OptionSpec>(const Module&)> options_of;
};

void register_layer(LayerEntry entry);

// The entry of a layer built from its options struct: `Layer(Options)` builds it and
// `layer.options()` gives them back.
template <typename Layer, typename Options>
LayerEntry layer_entry_of(std::string type, std::string doc) {
  return LayerEntry{std::move(type),
                    std::move(doc),
                    describe_options(Options{}),
                    [](const OptionValues& values) { read_options<Options>(values); },
                    [](const OptionValues& values) -> std::shared_ptr<Module> { return std::make_shared<Layer>(read_options<Options>(values)); },
                    [](const Module& built) { return describe_options(dynamic_cast<const Layer&>(built).options()); }};
}

// The entry of a layer without options.
template <typename Layer>
LayerEntry layer_entry_of(std::string type, std::string doc) {
  return LayerEntry{std::move(type),
                    std::move(doc),
                    {},
                    [](const OptionValues&) {},
                    [](const OptionValues&) -> std::shared_ptr<Module> { return std::make_shared<Layer>(); },
                    [](const Module&) { return std::vector<OptionSpec>{}; }};
}

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
// The schema: every type with its options, types, defaults, allowed names and docs.
std::string describe_layers();
// One type's options as a Markdown table (docs/layers.md holds one per layer; a test keeps them equal).
std::string layer_options_table(const std::string& type);

}  // namespace gaze
