#include "layers/yaml_values.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "framework/error.h"

namespace gaze {

namespace {

// Nodes visited while checking a document. A 256 KiB file holds well under this many; a few
// lines of aliases that refer to aliases can stand for exponentially many (yaml-cpp shares them,
// a walk would not), and are refused rather than walked.
constexpr int64_t kMaxVisits = int64_t{1} << 20;

std::string place(const std::string& source, const YAML::Mark& mark) {
  if (source.empty()) return fmt::format("line {}, column {}", mark.line + 1, mark.column + 1);
  return fmt::format("{}:{}:{}", source, mark.line + 1, mark.column + 1);
}

struct KeyCheck {
  const std::string& source;
  const std::string& text;
  std::vector<size_t> line_starts;  // offset of each line in `text`
  int64_t visits = 0;

  KeyCheck(const std::string& source_, const std::string& text_) : source(source_), text(text_) {
    line_starts.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') line_starts.push_back(i + 1);
  }

  // yaml-cpp reads a quote left open as a value running to the next quote or to the end of the
  // file, folded into one line: the rest of the config becomes one key's value. A config never
  // needs a quoted value over several lines, so a quote that is not closed on its own line is
  // reported where it opens.
  void check_quote_closed(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0 || static_cast<size_t>(mark.line) >= line_starts.size()) return;
    const size_t start = line_starts[mark.line] + mark.column;
    if (start >= text.size() || (text[start] != '"' && text[start] != '\'')) return;
    const char quote = text[start];
    for (size_t i = start + 1; i < text.size() && text[i] != '\n'; ++i) {
      if (quote == '"' && text[i] == '\\') {
        ++i;
      } else if (text[i] == quote) {
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;  // '' is a quote inside single quotes
          continue;
        }
        return;
      }
    }
    fail("{}: the quote opened here is not closed on this line (YAML would read on to the next {} quote or the end of the file); "
         "close it",
         place(source, mark), quote);
  }

  // Every mapping of the document, depth first: a key given twice is an error at its second place.
  void walk(const YAML::Node& node, const std::string& path) {
    if (++visits > kMaxVisits)
      fail("{}: the YAML holds more than {} values (aliases that expand to more?); a config is a few sections of keys",
           source.empty() ? "the value" : source, kMaxVisits);
    if (node.IsSequence()) {
      int64_t i = 0;
      for (const auto& item : node) walk(item, fmt::format("{}[{}]", path, i++));
    } else if (node.IsScalar()) {
      if (node.Tag() == "!") check_quote_closed(node);  // "!": a quoted or block scalar
    } else if (node.IsMap()) {
      std::map<std::string, YAML::Mark> seen;
      for (const auto& item : node) {
        const std::string child = item.first.IsScalar() ? item.first.Scalar() : "?";
        const std::string dotted = path.empty() ? child : path + "." + child;
        if (item.first.IsScalar()) {
          const auto [first, inserted] = seen.emplace(child, item.first.Mark());
          if (!inserted)
            fail("{}: '{}' is given twice (first at line {}); keys of a YAML mapping are unique: keep one", place(source, item.first.Mark()),
                 dotted, first->second.line + 1);
        }
        walk(item.second, dotted);
      }
    }
  }
};

std::string first_line(const std::string& text, bool& cut) {
  const auto newline = text.find('\n');
  cut = newline != std::string::npos;
  return cut ? text.substr(0, newline) : text;
}

}  // namespace

YAML::Node parse_yaml(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {  // syntax errors, and nesting deeper than yaml-cpp's limit
    fail("{}: YAML syntax error: {}", place(source, e.mark), e.msg);
  } catch (const YAML::Exception& e) {
    fail("{}: cannot be read as YAML: {}", source.empty() ? "the value" : source, e.msg);
  }
  KeyCheck(source, text).walk(root, "");
  return root;
}

YAML::Node load_yaml_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail("config file '{}' not found", path);
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) fail("config file '{}' cannot be read: {}", path, ec.message());
  if (size > kMaxYamlFileBytes)
    fail("config file '{}' holds {} bytes; a config is at most {} KiB (is this the right file?)", path, size, kMaxYamlFileBytes / 1024);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    if (size > 0) fail("config file '{}' cannot be read", path);
  }
  return parse_yaml(text.str(), path);
}

// A missing key's node (`spec["mode"]` when there is none) throws from IsScalar() and the other
// type tests; IsDefined() is the one that does not.
namespace {
bool is_scalar(const YAML::Node& node) { return node.IsDefined() && node.IsScalar(); }
bool is_sequence(const YAML::Node& node) { return node.IsDefined() && node.IsSequence(); }
}  // namespace

std::optional<int64_t> yaml_integer(const YAML::Node& node) {
  if (!is_scalar(node)) return std::nullopt;
  try {
    return node.as<int64_t>();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

std::optional<double> yaml_number(const YAML::Node& node) {
  if (!is_scalar(node)) return std::nullopt;
  try {
    const double v = node.as<double>();
    if (!std::isfinite(v)) return std::nullopt;
    return v;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

bool yaml_is_nonfinite(const YAML::Node& node) {
  if (!is_scalar(node)) return false;
  try {
    return !std::isfinite(node.as<double>());
  } catch (const YAML::Exception&) {
    return false;
  }
}

std::optional<bool> yaml_boolean(const YAML::Node& node) {
  if (!is_scalar(node)) return std::nullopt;
  try {
    return node.as<bool>();
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

std::optional<std::string> yaml_text(const YAML::Node& node) {
  if (!is_scalar(node)) return std::nullopt;
  return node.Scalar();
}

std::optional<std::vector<int64_t>> yaml_integers(const YAML::Node& node) {
  if (!is_sequence(node)) return std::nullopt;
  std::vector<int64_t> values;
  for (const auto& item : node) {
    const auto v = yaml_integer(item);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  return values;
}

std::optional<std::vector<std::string>> yaml_texts(const YAML::Node& node) {
  if (!is_sequence(node)) return std::nullopt;
  std::vector<std::string> values;
  for (const auto& item : node) {
    const auto v = yaml_text(item);
    if (!v) return std::nullopt;
    values.push_back(*v);
  }
  return values;
}

std::string shown_text(const std::string& text) {
  constexpr size_t kMaxShown = 60;
  bool cut = false;
  std::string line = first_line(text, cut);
  if (line.size() > kMaxShown) line.resize(kMaxShown), cut = true;
  return cut ? line + "..." : line;
}

std::string yaml_shown(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  if (node.IsScalar()) return shown_text(node.Scalar());
  try {
    YAML::Emitter out;
    out.SetMapFormat(YAML::Flow);
    out.SetSeqFormat(YAML::Flow);
    out << node;
    return shown_text(out.c_str());
  } catch (const std::exception&) {
    return "?";
  }
}

std::string yaml_position(const YAML::Node& node, const std::string& fallback) {
  YAML::Mark mark = YAML::Mark::null_mark();
  try {
    mark = node.Mark();  // throws for a node that is not there (a missing key's)
  } catch (const YAML::Exception&) {
  }
  if (mark.line < 0) return fallback;
  return fmt::format("{}:{}:{}", fallback, mark.line + 1, mark.column + 1);
}

}  // namespace gaze
