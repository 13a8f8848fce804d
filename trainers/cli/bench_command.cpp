// `gaze bench`: times the benchmark cases on each backend and prints a table with a column per
// backend (and PyTorch's: scripts/bench/torch_ref.py run here with --torch auto, or its JSON output
// given as a file), or CSV / JSON lines; a last table gives each case's peak memory (allocated
// tensor storage and process RSS, trainers/app/bench/peak_memory.h).
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "framework/device_memory.h"
#include "backends/openblas_core.h"
#include "framework/backend_registry.h"
#include "backends/threads.h"
#include "framework/error.h"
#include "trainers/app/bench/bench_case.h"
#include "trainers/app/bench/torch_reference.h"
#include "trainers/cli/commands.h"
#include "trainers/cli/help_format.h"

namespace gaze::cli {
namespace {

struct BenchOptions {
  std::string backends, cases, output = "table", torch, attention_impl = "auto";
  int warmup = 5, iters = 20;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::vector<const bench::Case*> selected_cases(const std::string& filter) {
  std::vector<const bench::Case*> out;
  if (filter.empty() || filter == "all" || filter == "large") {
    bool large = filter == "large";
    for (const auto& c : bench::all_cases())
      if (c.large == large) out.push_back(&c);
    return out;
  }
  for (const std::string& name : split_list(filter)) {
    const bench::Case* found = nullptr;
    for (const auto& c : bench::all_cases())
      if (c.name == name) found = &c;
    if (!found) {
      std::vector<std::string> names;
      for (const auto& c : bench::all_cases()) names.push_back(c.name);
      fail("bench: unknown case '{}'; cases: {} (or 'all', the default, or 'large')", name, fmt::join(names, ", "));
    }
    out.push_back(found);
  }
  return out;
}

// torch_ref.py's JSON lines, by case; `source` names them in errors.
std::map<std::string, nlohmann::json> parse_torch_rows(const std::string& text, const std::string& source) {
  std::map<std::string, nlohmann::json> rows;
  std::stringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    try {
      nlohmann::json row = nlohmann::json::parse(line);
      rows[row.at("case").get<std::string>()] = row;
    } catch (const std::exception& e) {
      fail("bench: {}:{}: not a torch_ref.py JSON line ({})", source, line_no, e.what());
    }
  }
  return rows;
}

// PyTorch's rows: none, from a file, or (auto) from running scripts/bench/torch_ref.py now.
std::map<std::string, nlohmann::json> torch_rows(const std::vector<const bench::Case*>& cases, const BenchOptions& o) {
  const std::string& torch = o.torch;
  if (torch.empty()) return {};
  if (torch == "auto") {
    std::vector<std::string> names;
    for (const bench::Case* c : cases)
      if (c->unavailable.empty()) names.push_back(c->name);
    fmt::print(stderr, "  pytorch: running scripts/bench/torch_ref.py\n");
    bench::TorchRun run = bench::run_torch_reference(names, num_threads(), o.warmup, o.iters);
    if (!run.why.empty()) {
      fmt::print(stderr, "bench: no PyTorch column: {}\n", run.why);
      return {};
    }
    if (!run.note.empty()) fmt::print(stderr, "  pytorch: {}\n", run.note);
    return parse_torch_rows(run.jsonl, "torch_ref.py's output");
  }
  std::ifstream in(torch);
  if (!in)
    fail("bench: cannot open --torch file '{}' (write it with: /usr/bin/python3 scripts/bench/torch_ref.py > {}, or use --torch auto)",
         torch, torch);
  std::stringstream text;
  text << in.rdbuf();
  return parse_torch_rows(text.str(), torch);
}

std::string cell(std::optional<double> ms, std::optional<double> first) {
  if (!ms) return "-";
  if (!first || *first <= 0) return fmt::format("{:.2f}", *ms);
  return fmt::format("{:.2f} ({:.2f}x)", *ms, *ms / *first);
}

double mib(size_t bytes) { return static_cast<double>(bytes) / (1 << 20); }

std::optional<double> json_ms(const nlohmann::json& row, const char* key) {
  if (!row.contains(key) || row[key].is_null()) return std::nullopt;
  return row[key].get<double>();
}

// `cuda` is a column when a GPU can run it; otherwise one line on stderr says why, and the other
// backends are still timed.
std::vector<std::string> runnable_backends(const std::vector<std::string>& asked) {
  std::vector<std::string> out;
  for (const std::string& b : asked) {
    if (b == "cuda") {
      std::string why = !cuda_backend_built() || gpu_memory().device_count() == 0 ? gpu_memory().unavailable_reason() : "";
      if (!why.empty()) {
        fmt::print(stderr, "bench: backend 'cuda' is unavailable: {}; timing the others\n", why);
        continue;
      }
    } else {
      get_backend(b);  // unknown names fail before any timing
    }
    out.push_back(b);
  }
  if (out.empty()) fail("bench: none of the backends asked for ({}) can run here", fmt::join(asked, ", "));
  return out;
}

void run_bench(const BenchOptions& o) {
  std::vector<std::string> backends = runnable_backends(o.backends.empty() ? available_backends() : split_list(o.backends));
  std::vector<const bench::Case*> cases = selected_cases(o.cases);
  parse_choice<AttentionImpl>(o.attention_impl);  // a wrong name fails before any timing
  int threads = num_threads();
  Backend& previous = cpu_backend();

  std::map<std::pair<std::string, std::string>, bench::Timing> results;
  for (const bench::Case* c : cases) {
    if (!c->unavailable.empty()) continue;
    for (const std::string& b : backends) {
      // cuda times the case's tensors on GPU 0; a CPU backend is selected and times them on the host.
      if (b != "cuda") set_cpu_backend(b);
      results[{c->name, b}] = bench::run_case(*c, o.warmup, o.iters, b == "cuda" ? Device::cuda(0) : Device::cpu(),
                                              parse_choice<AttentionImpl>(o.attention_impl));
      if (o.output == "table") fmt::print(stderr, "  {} on {}: done\n", c->name, b);
    }
  }
  set_cpu_backend(previous.name());
  // PyTorch after gaze, alone on the machine: two OpenMP programs at once would slow each other.
  auto torch = torch_rows(cases, o);

  if (o.output == "json" || o.output == "csv") {
    if (o.output == "csv") fmt::print("case,impl,threads,shape,fwd_ms,fwdbwd_ms,gflops,peak_alloc_mb,peak_rss_mb\n");
    for (const bench::Case* c : cases) {
      if (!c->unavailable.empty()) {
        if (o.output == "json")
          fmt::print("{}\n", nlohmann::json{{"case", c->name}, {"unavailable", c->unavailable}}.dump());
        continue;
      }
      for (const std::string& b : backends) {
        const bench::Timing& t = results[{c->name, b}];
        if (o.output == "csv") {
          fmt::print("{},{},{},{},{:.4f},{},{},{:.1f},{}\n", c->name, b, threads, t.shape, t.fwd_ms,
                     t.fwdbwd_ms ? fmt::format("{:.4f}", *t.fwdbwd_ms) : "", t.gflops ? fmt::format("{:.2f}", *t.gflops) : "",
                     mib(t.peak_allocated_bytes), t.peak_rss_bytes ? fmt::format("{:.1f}", mib(*t.peak_rss_bytes)) : "");
          continue;
        }
        nlohmann::json row{{"case", c->name}, {"impl", b}, {"threads", threads}, {"fwd_ms", std::round(t.fwd_ms * 1e4) / 1e4},
                           {"fwdbwd_ms", nullptr}, {"shape", t.shape}};
        if (t.fwdbwd_ms) row["fwdbwd_ms"] = std::round(*t.fwdbwd_ms * 1e4) / 1e4;
        if (t.gflops) row["gflops"] = std::round(*t.gflops * 100) / 100;
        row["peak_alloc_mb"] = std::round(mib(t.peak_allocated_bytes) * 10) / 10;
        row["peak_rss_mb"] = nullptr;
        if (t.peak_rss_bytes) row["peak_rss_mb"] = std::round(mib(*t.peak_rss_bytes) * 10) / 10;
        fmt::print("{}\n", row.dump());
      }
      // PyTorch's row after gaze's, with the same keys (its impl says "pytorch-<version>").
      auto it = torch.find(c->name);
      if (it == torch.end()) continue;
      const nlohmann::json& row = it->second;
      if (o.output == "json") {
        fmt::print("{}\n", row.dump());
      } else {
        auto number = [&row](const char* key) { return row.contains(key) && !row[key].is_null() ? row[key].dump() : std::string(); };
        fmt::print("{},{},{},{},{},{},{},{},{}\n", c->name, row.value("impl", "pytorch"), number("threads"), row.value("shape", ""),
                   number("fwd_ms"), number("fwdbwd_ms"), number("gflops"), number("peak_alloc_mb"), number("peak_rss_mb"));
      }
    }
    return;
  }

  std::vector<std::string> columns = backends;
  if (!torch.empty()) columns.push_back("pytorch");
  fmt::print("gaze's OpenBLAS core: {}\n", openblas_core_description());
  for (bool backward : {false, true}) {
    fmt::print("\n{} (median ms over {} iterations, {} threads; ratio to {})\n", backward ? "forward + backward" : "forward", o.iters,
               threads, columns.front());
    fmt::print("| {:<24} | {:<16} |", "case", "shape");
    for (const auto& col : columns) fmt::print(" {:<18} |", col);
    fmt::print("\n|{:-<26}|{:-<18}|", "", "");
    for (size_t i = 0; i < columns.size(); ++i) fmt::print("{:-<20}|", "");
    fmt::print("\n");
    for (const bench::Case* c : cases) {
      if (!c->unavailable.empty()) {
        if (!backward) fmt::print("| {:<24} | unavailable: {} |\n", c->name, c->unavailable);
        continue;
      }
      const bench::Timing& first_t = results[{c->name, backends.front()}];
      std::optional<double> first = backward ? first_t.fwdbwd_ms : std::optional<double>(first_t.fwd_ms);
      if (backward && !first) continue;
      fmt::print("| {:<24} | {:<16} |", c->name, first_t.shape);
      for (const std::string& b : backends) {
        const bench::Timing& t = results[{c->name, b}];
        fmt::print(" {:<18} |", cell(backward ? t.fwdbwd_ms : std::optional<double>(t.fwd_ms), first));
      }
      if (!torch.empty()) {
        auto it = torch.find(c->name);
        std::optional<double> ms = it == torch.end() ? std::nullopt : json_ms(it->second, backward ? "fwdbwd_ms" : "fwd_ms");
        fmt::print(" {:<18} |", cell(ms, first));
      }
      fmt::print("\n");
    }
  }
  fmt::print("\npeak memory per case, MiB: tensor storage allocated at once / process peak RSS (fwd and fwd + bwd "
             "iterations together; one case per process gives the cleanest RSS)\n");
  fmt::print("| {:<24} | {:<16} |", "case", "shape");
  for (const auto& col : columns) fmt::print(" {:<18} |", col);
  fmt::print("\n|{:-<26}|{:-<18}|", "", "");
  for (size_t i = 0; i < columns.size(); ++i) fmt::print("{:-<20}|", "");
  fmt::print("\n");
  for (const bench::Case* c : cases) {
    if (!c->unavailable.empty()) continue;
    fmt::print("| {:<24} | {:<16} |", c->name, results[{c->name, backends.front()}].shape);
    for (const std::string& b : backends) {
      const bench::Timing& t = results[{c->name, b}];
      fmt::print(" {:<18} |", fmt::format("{:.0f} / {}", mib(t.peak_allocated_bytes),
                                          t.peak_rss_bytes ? fmt::format("{:.0f}", mib(*t.peak_rss_bytes)) : "-"));
    }
    if (!torch.empty()) {
      auto it = torch.find(c->name);
      std::optional<double> rss = it == torch.end() ? std::nullopt : json_ms(it->second, "peak_rss_mb");
      fmt::print(" {:<18} |", rss ? fmt::format("- / {:.0f}", *rss) : "-");
    }
    fmt::print("\n");
  }
  fmt::print("\nreproduce a row: gaze bench --threads {} --backends {} --cases CASE --warmup {} --iters {}{}\n", threads,
             fmt::join(backends, ","), o.warmup, o.iters,
             o.attention_impl == "auto" ? "" : " --attention-impl " + o.attention_impl);
  for (const bench::Case* c : cases) {
    auto gflops = results.count({c->name, backends.front()}) ? results[{c->name, backends.front()}].gflops : std::nullopt;
    if (gflops) {
      fmt::print("{} GFLOP/s:", c->name);
      for (const std::string& b : backends) fmt::print(" {} {:.1f}", b, *results[{c->name, b}].gflops);
      if (torch.count(c->name) && torch[c->name].contains("gflops")) fmt::print(" pytorch {:.1f}", torch[c->name]["gflops"].get<double>());
      fmt::print("\n");
    }
  }
}

}  // namespace

void add_bench_command(CLI::App& app, GlobalOptions& global) {
  static BenchOptions options;  // CLI11 writes into it during parse; the callback reads it after
  auto* cmd = app.add_subcommand("bench");
  describe_command(*cmd, "Time the benchmark cases on each backend (and PyTorch, --torch auto)",
                   "Times each case (a layer's forward, and forward plus backward; a model's training step) on "
                   "every backend asked for and prints a table with a column per backend, each cell in "
                   "milliseconds and its ratio to the first column, or CSV, or JSON lines. --torch auto adds "
                   "PyTorch's column from scripts/bench/torch_ref.py run with /usr/bin/python3 (the same cases "
                   "and protocol); without PyTorch one line says so and gaze's columns still print. "
                   "docs/backends.md shows the results.",
                   "  gaze bench --threads 2 --torch auto          # every backend, then PyTorch: a ratio column\n"
                   "  gaze bench --backends onednn --cases cbam,danet_pam --output json\n"
                   "  gaze bench --backends reference,cuda --cases se --iters 5\n"
                   "  gaze bench --backends onednn --cases large --attention-impl fused --iters 3   # peak memory\n");
  cmd->add_option("--backends", options.backends, "Comma-separated backends, cuda included (default: every CPU backend built)")
      ->option_text("LIST");
  cmd->add_option("--cases", options.cases,
                  "Comma-separated cases; 'all' (default): every case but the large ones; 'large': Non-local and PAM at "
                  "high resolution (maps of 0.5 to 1 GiB)")
      ->option_text("LIST");
  cmd->add_option("--attention-impl", options.attention_impl,
                  "How the attention layers of the cases form softmax(QK^T)V: auto (default), fused or materialized")
      ->check(CLI::IsMember({"auto", "fused", "materialized"}))
      ->option_text("IMPL");
  cmd->add_option("--warmup", options.warmup, "Untimed iterations before timing, 0 to 1000 (default 5)")
      ->check(CLI::Range(0, 1000))
      ->option_text("N");
  cmd->add_option("--iters", options.iters, "Timed iterations, 1 to 100000 (default 20; the median is reported)")
      ->check(CLI::Range(1, 100000))
      ->option_text("N");
  cmd->add_option("--output", options.output,
                  "table (the default), csv or json (one object per line, keys as torch_ref.py; with --torch, PyTorch's row "
                  "follows each case's)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->option_text("FORMAT");
  cmd->add_option("--torch", options.torch,
                  "A 'pytorch' column: 'auto' runs scripts/bench/torch_ref.py with /usr/bin/python3 now (same cases, threads, "
                  "iterations and OpenBLAS kernels), or give a file of its JSON lines")
      ->option_text("auto|FILE");
  cmd->callback([&global] { run_guarded(global, [] { run_bench(options); }); });
}

}  // namespace gaze::cli
