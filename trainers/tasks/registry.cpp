#include "trainers/tasks/registry.h"

#include <map>
#include <mutex>

#include "framework/error.h"

namespace gaze {

namespace {

std::map<std::string, TaskFactory>& factories() {
  static std::map<std::string, TaskFactory> registry;
  return registry;
}

std::vector<std::pair<std::string, DefaultExamples>>& default_example_makers() {
  static std::vector<std::pair<std::string, DefaultExamples>> registry;
  return registry;
}

ConfigComponent component(std::string kind, std::string name, std::string doc, std::string chosen_by, std::vector<ConfigKey> keys) {
  ConfigComponent c;
  c.kind = std::move(kind);
  c.name = std::move(name);
  c.doc = std::move(doc);
  c.chosen_by = std::move(chosen_by);
  c.keys = std::move(keys);
  return c;
}

}  // namespace

void register_dataset(std::string name, std::string doc, std::vector<ConfigKey> keys, DefaultExamples examples) {
  if (examples) default_example_makers().emplace_back(name, std::move(examples));
  register_config_component(component("dataset", std::move(name), std::move(doc), "data.dataset", std::move(keys)));
}

std::vector<std::string> datasets_with_default_examples() {
  std::vector<std::string> names;
  for (const auto& [name, make] : default_example_makers()) names.push_back(name);
  return names;
}

const DefaultExamples& default_examples(const std::string& dataset) {
  for (const auto& [name, make] : default_example_makers())
    if (name == dataset) return make;
  fail("no default examples for dataset '{}'; the synthetic datasets have them: {}", dataset,
       fmt::join(datasets_with_default_examples(), ", "));
}

void register_task(std::string name, std::string doc, std::vector<std::string> datasets, std::vector<std::string> backbones,
                   std::vector<ConfigKey> keys, TaskFactory make) {
  if (factories().count(name)) fail("register_task: a task '{}' is already registered", name);
  factories()[name] = std::move(make);
  ConfigComponent c = component("task", std::move(name), std::move(doc), "data.dataset", std::move(keys));
  c.chosen_when = std::move(datasets);
  c.backbones = std::move(backbones);
  register_config_component(std::move(c));
}

void register_backbone(std::string name, std::string doc, std::vector<ConfigKey> keys) {
  register_config_component(component("backbone", std::move(name), std::move(doc), "model.backbone", std::move(keys)));
}

void register_head(std::string name, std::string doc) {
  register_config_component(component("head", std::move(name), std::move(doc), "model.head", {}));
}

const TaskFactory& task_factory(const std::string& name) {
  auto it = factories().find(name);
  if (it == factories().end()) fail("no task '{}' is registered", name);
  return it->second;
}

void register_builtin_components() {
  static std::once_flag once;
  std::call_once(once, [] {
    // The order is the order of the allowed values in errors and `gaze config --explain`.
    register_classification_components();
    register_action_components();
    register_segmentation_components();
    register_reid_components();
  });
}

}  // namespace gaze
