// The training config's schema, in code. The keys every run reads (optim, schedule, train, eval,
// checkpoint, log, and the common data and model keys) are listed here with their type, default,
// one-line doc and, where they have one, their range or set of allowed values. The parts of a run
// the config picks by name (a dataset, its task, a backbone, a head) are registered as components,
// each with the keys only it reads (trainers/tasks/registry.h registers the built-in ones), so a
// config holds the common keys and the keys of its own components, nothing else.
// YAML files and `--set a.b=value` only override defaults; `gaze config --explain` prints it all.
// A key is an OptionSpec (layers/option_spec.h), the type layer options are described by too.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "layers/option_spec.h"

namespace gaze {

struct ConfigKey : OptionSpec {
  std::string section;

  std::string dotted() const { return section + "." + name; }
};

// Builders for a key's declaration: config_key("data", "cameras", OptionType::integer, "3", "doc"),
// then with a range or a set of allowed values.
ConfigKey config_key(std::string section, std::string name, OptionType type, std::string default_value, std::string doc);
ConfigKey with_range(ConfigKey key, std::optional<double> min, std::optional<double> max);
ConfigKey with_choices(ConfigKey key, std::vector<std::string> allowed);

// A part of a run chosen by the value of a key: the dataset by data.dataset, the task by
// data.dataset too (a dataset is trained by one task), the backbone by model.backbone, the
// segmentation head by model.head (a key of backbone dilated_fcn).
struct ConfigComponent {
  std::string kind;                      // "dataset", "task", "backbone", "head": how errors and --explain name it
  std::string name;                      // e.g. "reid_tracklets"
  std::string doc;
  std::string chosen_by;                 // the key whose value picks it, e.g. "data.dataset"
  std::vector<std::string> chosen_when;  // the values of chosen_by that pick it; empty: its name
  std::vector<ConfigKey> keys;           // the keys it reads that not every run reads
  std::vector<std::string> backbones;    // a task: the values of model.backbone it trains
};

// Registers a component (at program start). The allowed values of a chooser key are the values
// that pick its components. A key two components share (data.frames: action_clips and
// reid_tracklets) must have the same type, default, range and choices in both; its doc may differ.
void register_config_component(ConfigComponent component);
// Every registered component, in registration order.
const std::vector<ConfigComponent>& config_components();
// The values of `component.chosen_by` that pick it.
std::vector<std::string> chosen_when(const ConfigComponent& component);

// The keys every run reads, section by section, in the order the schema prints them.
const std::vector<ConfigKey>& config_schema();
// Those and every component's keys (a key shared by components once).
const std::vector<ConfigKey>& all_config_keys();
std::vector<std::string> config_sections();
// The key named `dotted` ("optim.lr"), common or a component's, or null.
const ConfigKey* find_config_key(const std::string& dotted);
// The schema as text: `target` empty: the common keys section by section, then every component
// with its keys; a section name: that section's common keys and the components' keys in it; a
// component name: that component. Anything else is a gaze::Error naming the valid targets.
std::string explain_config(const std::string& target = "");

}  // namespace gaze
