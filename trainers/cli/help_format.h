// How `gaze --help` and every subcommand's help are laid out: every line at most kHelpWidth
// columns (CLI11 2.1, Debian's, wraps nothing itself), the command list one line per command
// (the first sentence of its description), the option descriptions wrapped in a column beside the
// option names, and each command's footer (a paragraph, then examples) as written.
#pragma once
#include <CLI/CLI.hpp>
#include <cstddef>
#include <string>

namespace gaze::cli {

inline constexpr std::size_t kHelpWidth = 100;

// `text` with its words wrapped to lines of at most `width` characters; a newline in it starts a
// new line, and a word longer than `width` stays whole on its own line.
std::string wrap_words(const std::string& text, std::size_t width);

class HelpFormatter : public CLI::Formatter {
 public:
  HelpFormatter();
  std::string make_description(const CLI::App* app) const override;
  std::string make_subcommand(const CLI::App* sub) const override;
  std::string make_option_desc(const CLI::Option* opt) const override;
};

// A subcommand's help: `summary` (one line, shown in `gaze --help`'s list of commands and atop its
// own help) and a footer of `paragraph` (wrapped) and `examples` (one command a line, as written).
void describe_command(CLI::App& cmd, const std::string& summary, const std::string& paragraph, const std::string& examples);

}  // namespace gaze::cli
