// The gaze program's help: `gaze --help` lists every command on one line, every command's help
// fits 100 columns and ends with examples, and every command README.md shows is among them.
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_program.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;

namespace {

constexpr size_t kColumns = 100;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The output of `gaze ARGS... --help` (exit status 0).
std::string help_of(const test::TempDir& dir, const std::vector<std::string>& args) {
  std::vector<std::string> command{GAZE_CLI_PATH};
  command.insert(command.end(), args.begin(), args.end());
  command.push_back("--help");
  const std::string log = dir / "help.log";
  REQUIRE(test::run_program(command, log) == 0);
  return test::read_text(log);
}

// The commands `gaze --help` lists under "Subcommands:", by name.
std::vector<std::string> listed_commands(const std::string& help) {
  std::vector<std::string> names;
  bool in_list = false;
  for (const std::string& line : lines_of(help)) {
    if (line == "Subcommands:") in_list = true;
    else if (in_list && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') names.push_back(line.substr(2, line.find(' ', 2) - 2));
    else if (in_list && line.empty()) break;
  }
  return names;
}

// A command as a shell reads it: continuation lines joined, the comment dropped, spaces collapsed,
// "build/release/gaze" as "gaze".
std::vector<std::string> gaze_commands(const std::string& text) {
  std::vector<std::string> commands;
  std::string pending;
  for (std::string line : lines_of(text)) {
    const bool continues = line.size() >= 2 && line.compare(line.size() - 2, 2, " \\") == 0;
    if (continues) line.resize(line.size() - 2);
    pending += " " + line;
    if (continues) continue;
    std::string command = pending.substr(0, pending.find(" #"));
    pending.clear();
    std::istringstream words(command);
    std::string joined;
    for (std::string word; words >> word;) joined += (joined.empty() ? "" : " ") + word;
    if (joined.rfind("build/release/gaze ", 0) == 0) joined = joined.substr(std::string("build/release/").size());
    // A command under mpirun (`mpirun -np 2 gaze train ...`) is the gaze command it runs.
    if (joined.rfind("mpirun ", 0) == 0 && joined.find(" gaze ") != std::string::npos) joined = joined.substr(joined.find(" gaze ") + 1);
    if (joined.rfind("gaze ", 0) == 0) commands.push_back(joined);
  }
  return commands;
}

// The lines of README.md's code blocks.
std::string readme_code() {
  std::string code;
  bool in_block = false;
  for (const std::string& line : lines_of(test::read_text(GAZE_SOURCE_DIR "/README.md"))) {
    if (line.rfind("```", 0) == 0) in_block = !in_block;
    else if (in_block) code += line + "\n";
  }
  return code;
}

}  // namespace

TEST_CASE("gaze --help lists every command with a one-line summary; every help fits 100 columns and shows examples") {
  test::TempDir dir("cli_help");
  const std::string main_help = help_of(dir, {});
  const std::vector<std::string> commands = listed_commands(main_help);
  CHECK(commands == std::vector<std::string>{"info", "bench", "config", "train", "eval", "reproduce", "visualize", "samples",
                                              "convert", "allreduce-bench", "export"});
  std::vector<std::pair<std::string, std::string>> helps{{"gaze", main_help}};
  for (const std::string& command : commands) helps.emplace_back(command, help_of(dir, {command}));
  for (const auto& [command, help] : helps) {
    INFO("gaze " << command << " --help:\n" << help);
    for (const std::string& line : lines_of(help)) {
      INFO(line);
      CHECK(line.size() <= kColumns);
    }
    const size_t examples = help.find("\nExamples:\n");
    REQUIRE(examples != std::string::npos);
    const auto shown = gaze_commands(help.substr(examples));
    CHECK(!shown.empty());
    if (command == "gaze") continue;
    for (const std::string& example : shown) CHECK(example.rfind("gaze " + command, 0) == 0);
    // The summary opens the command's help and is its whole line in the list of commands.
    const std::string summary = lines_of(help).front();
    const auto listed = lines_of(main_help);
    CHECK(std::any_of(listed.begin(), listed.end(), [&](const std::string& line) {
      return line.rfind("  " + command + " ", 0) == 0 && line.size() >= summary.size() &&
             line.compare(line.size() - summary.size(), summary.size(), summary) == 0;
    }));
  }
}

TEST_CASE("every gaze command README.md shows is among the examples of the help") {
  test::TempDir dir("cli_help_readme");
  std::string helps = help_of(dir, {});
  for (const std::string& command : listed_commands(helps)) helps += help_of(dir, {command});
  const std::vector<std::string> examples = gaze_commands(helps);
  const std::vector<std::string> readme = gaze_commands(readme_code());
  CHECK(readme.size() >= 10);
  for (const std::string& command : readme) {
    INFO(command);
    CHECK(std::find(examples.begin(), examples.end(), command) != examples.end());
  }
}
