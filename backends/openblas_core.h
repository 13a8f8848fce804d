// Running OpenBLAS with the kernels this CPU can run. OpenBLAS (Debian 12 ships 0.3.21) picks its
// kernels once, when the library loads, from the CPU it recognises; a newer CPU it does not know
// (a Xeon of family 6 model 207 was reported) gets its generic SSE3 "Prescott" kernels, about 4x
// slower there than the AVX-512 ones.
// It reads OPENBLAS_CORETYPE at that moment, so gaze, finding a core below what the CPU supports,
// sets that variable and starts itself again before any work (`restart_with_best_openblas_core`).
// An OPENBLAS_CORETYPE the user set is always respected.
#pragma once
#include <string>
#include <string_view>

namespace gaze {

// Instruction-set tiers that decide which OpenBLAS kernels run. unknown: a core name not listed.
enum class IsaTier { unknown = -1, sse = 0, avx = 1, avx2 = 2, avx512 = 3 };

IsaTier cpu_isa_tier();                              // of the CPU running this process (cpuid)
IsaTier openblas_core_tier(std::string_view core);   // of an OpenBLAS core name ("Haswell" -> avx2)
std::string best_openblas_core(IsaTier cpu);         // the core name to ask for ("SkylakeX" for avx512)
std::string_view isa_tier_name(IsaTier tier);        // "AVX-512", ...

// What to do at start-up, decided from facts only (so it is tested on any machine).
struct OpenBlasCoreDecision {
  std::string set_core;  // non-empty: set OPENBLAS_CORETYPE to this and restart
  std::string reason;    // one line for `gaze info` and the run manifest
};
// loaded: the core OpenBLAS chose; from_environment: OPENBLAS_CORETYPE as found (nullptr if unset);
// chosen_by_gaze: the core the library chose before gaze restarted itself (nullptr if it did not).
OpenBlasCoreDecision decide_openblas_core(std::string_view loaded, IsaTier cpu, const char* from_environment,
                                          const char* chosen_by_gaze);

// Called first thing in main(): restarts the program (same arguments, via /proc/self/exe) with
// OPENBLAS_CORETYPE set when the loaded core is below the CPU's tier and the user set none.
// Returns only when no restart is needed or possible. A no-op in builds without OpenBLAS.
void restart_with_best_openblas_core(char** argv);

// "SkylakeX (set by gaze: OpenBLAS chose Prescott, below this CPU's AVX-512)", or why not built.
std::string openblas_core_description();

}  // namespace gaze
