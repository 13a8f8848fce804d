#include "trainers/cli/help_format.h"

#include <sstream>

namespace gaze::cli {

std::string wrap_words(const std::string& text, std::size_t width) {
  std::string out;
  std::istringstream paragraphs(text);
  bool first_paragraph = true;
  for (std::string paragraph; std::getline(paragraphs, paragraph);) {
    if (!first_paragraph) out += '\n';
    first_paragraph = false;
    std::istringstream words(paragraph);
    std::size_t line = 0;
    for (std::string word; words >> word;) {
      if (line > 0 && line + 1 + word.size() > width) {
        out += '\n';
        line = 0;
      }
      if (line > 0) out += ' ', ++line;
      out += word;
      line += word.size();
    }
  }
  return out;
}

HelpFormatter::HelpFormatter() { column_width(28); }

std::string HelpFormatter::make_description(const CLI::App* app) const {
  const std::string description = app->get_description();
  return description.empty() ? "" : wrap_words(description, kHelpWidth) + "\n\n";  // a blank line before "Usage:"
}

// The list of commands in `gaze --help`: the first line of each description beside its name.
std::string HelpFormatter::make_subcommand(const CLI::App* sub) const {
  std::string summary = sub->get_description();
  summary = summary.substr(0, summary.find('\n'));
  std::stringstream out;
  CLI::detail::format_help(out, sub->get_display_name(), wrap_words(summary, kHelpWidth - column_width_), column_width_);
  return out.str();
}

// format_help indents each line after a newline to the description column.
std::string HelpFormatter::make_option_desc(const CLI::Option* opt) const {
  return wrap_words(opt->get_description(), kHelpWidth - column_width_);
}

void describe_command(CLI::App& cmd, const std::string& summary, const std::string& paragraph, const std::string& examples) {
  cmd.description(summary);
  cmd.footer(wrap_words(paragraph, kHelpWidth) + "\n\nExamples:\n" + examples);
}

}  // namespace gaze::cli
