// The one place where YAML text becomes nodes and nodes become typed values. yaml-cpp reports
// problems by throwing its own exceptions (a parser error, a bad conversion, a recursion limit);
// none of them gets past this file: parsing turns each into a gaze::Error naming the place, and
// the typed reads return nothing instead of throwing, so callers say what they expected and where.
// Configs (trainers/lib/config/) and layer specs (layers/registry.h) both read YAML through it.
//
// Parsing also refuses what YAML forbids but yaml-cpp lets through (a key given twice in one
// mapping: yaml-cpp would silently keep one), and text too large to be a config.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gaze {

// The largest YAML file gaze reads. Configs are a few kilobytes; yaml-cpp needs about a second a
// megabyte for long lists, so this keeps reading (or refusing) any file well under a second.
constexpr uint64_t kMaxYamlFileBytes = 256 * 1024;

// Parses `text`; `source` names it in errors ("run.yaml" gives "run.yaml:3:7: ..."). A syntax
// error, a key given twice in one mapping, or nesting too deep is a gaze::Error with the place.
YAML::Node parse_yaml(const std::string& text, const std::string& source);
// Reads and parses a file: a missing or unreadable file, or one over kMaxYamlFileBytes, is a
// gaze::Error naming it.
YAML::Node load_yaml_file(const std::string& path);

// Typed reads that never throw: empty when the node is not a value of that type.
std::optional<int64_t> yaml_integer(const YAML::Node& node);
// Finite numbers only: `.nan` and `.inf` are YAML floats but no learning rate, momentum or size.
std::optional<double> yaml_number(const YAML::Node& node);
std::optional<bool> yaml_boolean(const YAML::Node& node);
// Scalars only (a list or a mapping is not text).
std::optional<std::string> yaml_text(const YAML::Node& node);
// A sequence whose items are all integers / all scalars.
std::optional<std::vector<int64_t>> yaml_integers(const YAML::Node& node);
std::optional<std::vector<std::string>> yaml_texts(const YAML::Node& node);
// True for `.nan`, `.inf`, `-.inf` (and their spellings): numbers YAML has but gaze refuses.
bool yaml_is_nonfinite(const YAML::Node& node);

// A value as it should appear in a message: flow style, on one line, at most about 60
// characters (a long value is cut with "..."), never throwing.
std::string yaml_shown(const YAML::Node& node);
// The same for a text: its first line, at most about 60 characters.
std::string shown_text(const std::string& text);

// "file:line:col" of a YAML node, or `fallback` when it has none.
std::string yaml_position(const YAML::Node& node, const std::string& fallback);

}  // namespace gaze
