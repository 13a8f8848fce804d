// Which OpenBLAS kernels gaze runs: the start-up decision (restart with OPENBLAS_CORETYPE or not)
// for each situation, and what `gaze info` reports on this machine.
#include "backends/openblas_core.h"
#include "gaze/build_config.h"
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("OpenBLAS core names rank by the vector instructions their kernels use") {
  CHECK(openblas_core_tier("Prescott") == IsaTier::sse);
  CHECK(openblas_core_tier("Nehalem") == IsaTier::sse);
  CHECK(openblas_core_tier("SandyBridge") == IsaTier::avx);
  CHECK(openblas_core_tier("Haswell") == IsaTier::avx2);
  CHECK(openblas_core_tier("Zen") == IsaTier::avx2);
  CHECK(openblas_core_tier("SKYLAKEX") == IsaTier::avx512);
  CHECK(openblas_core_tier("Cooperlake") == IsaTier::avx512);
  CHECK(openblas_core_tier("RISCV64_GENERIC") == IsaTier::unknown);
  CHECK(best_openblas_core(IsaTier::avx512) == "SkylakeX");
  CHECK(best_openblas_core(IsaTier::avx2) == "Haswell");
  CHECK(best_openblas_core(IsaTier::avx) == "SandyBridge");
  CHECK(best_openblas_core(IsaTier::sse) == "Prescott");
}

TEST_CASE("an unknown newer CPU given Prescott kernels restarts with the CPU's best core") {
  // The case of OpenBLAS 0.3.21 on a Xeon of family 6, model 207: AVX-512, yet Prescott.
  OpenBlasCoreDecision d = decide_openblas_core("Prescott", IsaTier::avx512, nullptr, nullptr);
  CHECK(d.set_core == "SkylakeX");
  CHECK(d.reason == "OpenBLAS chose Prescott, below this CPU's AVX-512");
  CHECK(decide_openblas_core("Prescott", IsaTier::avx2, nullptr, nullptr).set_core == "Haswell");
  CHECK(decide_openblas_core("Haswell", IsaTier::avx512, "", nullptr).set_core == "SkylakeX");  // empty = unset
}

TEST_CASE("a core that matches the CPU, one set by the user, or a second start never restarts") {
  OpenBlasCoreDecision matches = decide_openblas_core("Haswell", IsaTier::avx2, nullptr, nullptr);
  CHECK(matches.set_core.empty());
  CHECK(matches.reason == "OpenBLAS's own choice, matches this CPU's AVX2");

  OpenBlasCoreDecision user = decide_openblas_core("Haswell", IsaTier::avx512, "Haswell", nullptr);
  CHECK(user.set_core.empty());
  CHECK(user.reason == "OPENBLAS_CORETYPE=Haswell from the environment, kept; this CPU could run SkylakeX (AVX-512)");
  CHECK(decide_openblas_core("SkylakeX", IsaTier::avx512, "SkylakeX", nullptr).reason ==
        "OPENBLAS_CORETYPE=SkylakeX from the environment");

  OpenBlasCoreDecision restarted = decide_openblas_core("SkylakeX", IsaTier::avx512, "SkylakeX", "Prescott");
  CHECK(restarted.set_core.empty());
  CHECK(restarted.reason == "set by gaze: OpenBLAS chose Prescott, below this CPU's AVX-512");
  // The library ignored the request: say so, and do not loop.
  OpenBlasCoreDecision ignored = decide_openblas_core("Prescott", IsaTier::avx512, "SkylakeX", "Prescott");
  CHECK(ignored.set_core.empty());
  CHECK(ignored.reason == "asked for SkylakeX (OpenBLAS chose Prescott) but the library still runs Prescott");

  CHECK(decide_openblas_core("ARMV8", IsaTier::avx2, nullptr, nullptr).set_core.empty());
}

TEST_CASE("this process runs OpenBLAS at or above the CPU's tier, or says why not") {
#if GAZE_HAVE_OPENBLAS
  // tests/main.cpp restarts like gaze does; what is left is a user's OPENBLAS_CORETYPE (kept, and named).
  std::string description = openblas_core_description();
  INFO(description);
  const char* user = std::getenv("OPENBLAS_CORETYPE");
  bool at_tier = description.find("matches this CPU") != std::string::npos || description.find("set by gaze") != std::string::npos;
  bool users = user && description.find("from the environment") != std::string::npos;
  CHECK((at_tier || users));
#else
  CHECK(openblas_core_description() == "not built");
#endif
}
