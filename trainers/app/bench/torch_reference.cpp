#include "trainers/app/bench/torch_reference.h"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gaze/build_config.h"

#if GAZE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace gaze::bench {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; its stdout, and its exit status in `status`.
std::string capture(const std::string& command, int& status) {
  std::string out;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    status = -1;
    return out;
  }
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  const int raw = ::pclose(pipe);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  return out;
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string torch_reference_script() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path() / "../../scripts/bench/torch_ref.py");
  candidates.push_back(fs::path(GAZE_SOURCE_DIR) / "scripts/bench/torch_ref.py");
  for (const fs::path& p : candidates)
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec).string();
  return "";
}

TorchRun run_torch_reference(const std::vector<std::string>& cases, int threads, int warmup, int iters) {
  TorchRun run;
  const std::string script = torch_reference_script();
  if (script.empty()) {
    run.why = fmt::format("scripts/bench/torch_ref.py not found beside this gaze binary nor in {}", GAZE_SOURCE_DIR);
    return run;
  }
  int status = 0;
  capture(fmt::format("{} -c 'import torch' 2>/dev/null", kPython), status);
  if (status != 0) {
    run.why = fmt::format("{} cannot import torch; install Debian's PyTorch with: apt-get install python3-torch", kPython);
    return run;
  }
  std::string environment;
#if GAZE_HAVE_OPENBLAS
  environment = fmt::format("OPENBLAS_CORETYPE={} ", shell_quoted(openblas_get_corename()));  // the kernels gaze runs
#endif
  const fs::path errors = fs::temp_directory_path() / fmt::format("gaze-torch-ref-{}.err", ::getpid());
  std::string case_list;
  for (const std::string& c : cases) case_list += (case_list.empty() ? "" : ",") + c;
  run.jsonl = capture(fmt::format("{}{} {} --threads {} --warmup {} --iters {} --cases {} 2>{}", environment, kPython, shell_quoted(script),
                                  threads, warmup, iters, shell_quoted(case_list), shell_quoted(errors.string())),
                      status);
  const std::string err = slurp(errors);
  std::error_code ec;
  fs::remove(errors, ec);
  std::stringstream lines(err);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("# torch_ref.py: ", 0) == 0) run.note = line.substr(16);
  if (status != 0) {
    std::string last = err.substr(err.find_last_of('\n', err.size() >= 2 ? err.size() - 2 : 0) + 1);
    while (!last.empty() && last.back() == '\n') last.pop_back();
    run.why = fmt::format("{} {} failed (exit {}): {}", kPython, script, status, last);
    run.jsonl.clear();
  }
  return run;
}

}  // namespace gaze::bench
