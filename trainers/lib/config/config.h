// A training config: the schema's defaults, overridden by a YAML file (after the files its `_base_`
// names, trainers/lib/config/bases.h) and then by `--set a.b=value` strings, validated whole before
// anything uses it. Its keys are the ones every run reads and the ones its components read (the
// dataset, task, backbone and head its values choose: schema.h).
// Every bad input is one gaze::Error naming its place (file:line:col, or the --set flag): a
// missing file, a YAML syntax error, an unknown section or key (with a "did you mean"), a value of
// the wrong type (naming the expected one), a value out of range or not in the allowed set (naming
// them), a key of a component this config does not use (naming the component that reads it and
// the value that chose another). A value a base sets is named at its place in that base.
#pragma once
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

namespace gaze {

class Config {
 public:
  // Typed getters by dotted key ("optim.lr"); a key not in the schema, or asked for as another
  // type than the schema's, is a gaze::Error.
  int64_t integer(const std::string& key) const;
  double number(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::vector<int64_t> integers(const std::string& key) const;
  std::vector<std::string> texts(const std::string& key) const;
  // The value's node: for maps (model.attention), and for errors that need its position.
  const YAML::Node& node(const std::string& key) const;
  // Where the value came from: "file:line:col", "--set key=value", or "default".
  std::string where(const std::string& key) const;
  // The name of the component of `kind` ("dataset", "task", "backbone", "head") the config uses.
  const std::string& component(const std::string& kind) const;
  // The resolved config as YAML: every section, each with the keys every run reads and the keys of
  // this config's components, in schema order.
  std::string to_yaml() const;
  // The same keys, each followed by a comment naming where its value was set (where()): what
  // `gaze config FILE --sources` prints to trace a key through a config's _base_ files.
  std::string to_yaml_with_sources() const;

  std::map<std::string, YAML::Node> values;        // dotted key → value, defaults filled in: this config's keys only
  std::map<std::string, std::string> origins;      // dotted key → where()
  std::map<std::string, std::string> components;   // kind → name, e.g. "task" → "reid" (trainers/lib/config/schema.h)
};

// What to do with a key the file or an override gives but no chosen component reads: refuse it
// (a user's config), or drop it (a run directory's saved config.yaml: gaze before the components
// wrote every key of every component there, and such a run must still resume).
enum class UnreadKeys { refuse, drop };

// `path` is a YAML file (empty: defaults only); `overrides` are "a.b=value" strings, applied
// after the file in order. The file's `_base_` files apply before it, each section merged key by
// key: a key a later file gives replaces the earlier value whole (a list, a scalar, or the
// model.attention spec); `_delete_: true` in a section drops the bases' keys of that section.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {}, UnreadKeys unread = UnreadKeys::refuse);

}  // namespace gaze
