#include "backends/openblas_core.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "gaze/build_config.h"

#if GAZE_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace gaze {
namespace {

// Set in the restarted process: the core OpenBLAS had chosen on its own.
constexpr const char* kChosenByGaze = "GAZE_OPENBLAS_CORE_BEFORE_RESTART";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

IsaTier cpu_isa_tier() {
  __builtin_cpu_init();
  // SkylakeX kernels use AVX-512 F, CD, BW, DQ and VL.
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
    return IsaTier::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return IsaTier::avx2;
  if (__builtin_cpu_supports("avx")) return IsaTier::avx;
  return IsaTier::sse;
}

IsaTier openblas_core_tier(std::string_view core) {
  // The x86-64 core names of OpenBLAS 0.3.21's DYNAMIC_ARCH build (driver/others/dynamic.c), by the
  // widest vector instructions their single-precision kernels use.
  static const std::pair<const char*, IsaTier> kCores[] = {
      {"prescott", IsaTier::sse},     {"core2", IsaTier::sse},         {"penryn", IsaTier::sse},
      {"dunnington", IsaTier::sse},   {"nehalem", IsaTier::sse},       {"atom", IsaTier::sse},
      {"opteron", IsaTier::sse},      {"opteron_sse3", IsaTier::sse},  {"barcelona", IsaTier::sse},
      {"bobcat", IsaTier::sse},       {"katmai", IsaTier::sse},        {"coppermine", IsaTier::sse},
      {"northwood", IsaTier::sse},    {"banias", IsaTier::sse},        {"athlon", IsaTier::sse},
      {"sandybridge", IsaTier::avx},  {"bulldozer", IsaTier::avx},     {"piledriver", IsaTier::avx},
      {"steamroller", IsaTier::avx},  {"excavator", IsaTier::avx},     {"haswell", IsaTier::avx2},
      {"zen", IsaTier::avx2},         {"skylakex", IsaTier::avx512},   {"cooperlake", IsaTier::avx512},
      {"sapphirerapids", IsaTier::avx512},
  };
  std::string name = lower(core);
  for (const auto& [known, tier] : kCores)
    if (name == known) return tier;
  return IsaTier::unknown;
}

std::string best_openblas_core(IsaTier cpu) {
  switch (cpu) {
    case IsaTier::avx512: return "SkylakeX";
    case IsaTier::avx2: return "Haswell";
    case IsaTier::avx: return "SandyBridge";
    default: return "Prescott";
  }
}

std::string_view isa_tier_name(IsaTier tier) {
  switch (tier) {
    case IsaTier::avx512: return "AVX-512";
    case IsaTier::avx2: return "AVX2";
    case IsaTier::avx: return "AVX";
    case IsaTier::sse: return "SSE3";
    default: return "unknown";
  }
}

OpenBlasCoreDecision decide_openblas_core(std::string_view loaded, IsaTier cpu, const char* from_environment,
                                          const char* chosen_by_gaze) {
  IsaTier tier = openblas_core_tier(loaded);
  std::string best = best_openblas_core(cpu);
  if (chosen_by_gaze && *chosen_by_gaze) {
    // Restarted already: whatever happened, never restart twice.
    if (tier != IsaTier::unknown && tier < cpu)
      return {"", fmt::format("asked for {} (OpenBLAS chose {}) but the library still runs {}", best, chosen_by_gaze, loaded)};
    return {"", fmt::format("set by gaze: OpenBLAS chose {}, below this CPU's {}", chosen_by_gaze, isa_tier_name(cpu))};
  }
  if (from_environment && *from_environment) {
    if (tier != IsaTier::unknown && tier < cpu)
      return {"", fmt::format("OPENBLAS_CORETYPE={} from the environment, kept; this CPU could run {} ({})", from_environment,
                              best, isa_tier_name(cpu))};
    return {"", fmt::format("OPENBLAS_CORETYPE={} from the environment", from_environment)};
  }
  if (tier == IsaTier::unknown) return {"", fmt::format("OpenBLAS's own choice (a core gaze does not rank)")};
  if (tier < cpu) return {best, fmt::format("OpenBLAS chose {}, below this CPU's {}", loaded, isa_tier_name(cpu))};
  return {"", fmt::format("OpenBLAS's own choice, matches this CPU's {}", isa_tier_name(cpu))};
}

#if GAZE_HAVE_OPENBLAS

void restart_with_best_openblas_core(char** argv) {
  OpenBlasCoreDecision d =
      decide_openblas_core(openblas_get_corename(), cpu_isa_tier(), std::getenv("OPENBLAS_CORETYPE"), std::getenv(kChosenByGaze));
  if (d.set_core.empty()) return;
  setenv(kChosenByGaze, openblas_get_corename(), 1);
  setenv("OPENBLAS_CORETYPE", d.set_core.c_str(), 1);
  execv("/proc/self/exe", argv);
  // Still here: the restart failed. Run on with the slow kernels, and say so once.
  fmt::print(stderr, "gaze: could not restart with OPENBLAS_CORETYPE={} ({}); OpenBLAS runs its slower {} kernels\n",
             d.set_core, std::strerror(errno), openblas_get_corename());
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv(kChosenByGaze);
}

std::string openblas_core_description() {
  OpenBlasCoreDecision d =
      decide_openblas_core(openblas_get_corename(), cpu_isa_tier(), std::getenv("OPENBLAS_CORETYPE"), std::getenv(kChosenByGaze));
  return fmt::format("{} ({})", openblas_get_corename(), d.reason);
}

#else

void restart_with_best_openblas_core(char**) {}
std::string openblas_core_description() { return "not built"; }

#endif

}  // namespace gaze
