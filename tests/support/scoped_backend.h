// Selects a CPU backend for one test and restores the previous one afterwards. The suite runs on
// `reference` (the oracle) by default; tests that train whole models use the fastest backend
// built, since what they check (determinism, resume, files) does not depend on the backend.
#pragma once
#include <string>

#include "framework/backend_registry.h"

namespace gaze::test {

class ScopedBackend {
 public:
  explicit ScopedBackend(const std::string& name) : previous_(cpu_backend().name()) { set_cpu_backend(name); }
  ~ScopedBackend() { set_cpu_backend(previous_); }
  ScopedBackend(const ScopedBackend&) = delete;
  ScopedBackend& operator=(const ScopedBackend&) = delete;

 private:
  std::string previous_;
};

// The fastest backend this build has.
inline std::string fastest_backend() { return available_backends().front(); }

}  // namespace gaze::test
