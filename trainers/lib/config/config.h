// A training config: the schema's defaults, overridden by a YAML file and then by `--set a.b=value`
// strings, validated whole before anything uses it. Every bad input is one gaze::Error naming its
// place (file:line:col, or the --set flag): a missing file, a YAML syntax error, an unknown
// section or key (with a "did you mean"), a value of the wrong type (naming the expected one), a
// value out of range or not in the allowed set (naming them).
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
  // The resolved config, every key of every section in schema order, as YAML.
  std::string to_yaml() const;

  std::map<std::string, YAML::Node> values;   // dotted key → value, defaults filled in
  std::map<std::string, std::string> origins;  // dotted key → where()
};

// `path` is a YAML file (empty: defaults only); `overrides` are "a.b=value" strings, applied
// after the file in order.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

}  // namespace gaze
