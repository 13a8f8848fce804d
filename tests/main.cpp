// The doctest runner for every suite under tests/. Suites run on the reference backend (the
// oracle) unless they pick another: the conformance and PyTorch-semantics suites loop over
// every backend built.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "backends/openblas_core.h"
#include "framework/backend_registry.h"
#include "trainers/tasks/registry.h"

int main(int argc, char** argv) {
  gaze::restart_with_best_openblas_core(argv);
  gaze::set_cpu_backend("reference");
  gaze::register_builtin_components();  // as gaze's main does: configs choose among them
  doctest::Context context(argc, argv);
  return context.run();
}
