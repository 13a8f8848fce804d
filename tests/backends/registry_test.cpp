// Backend selection: unknown names, user backends, and the explicit error (or opt-in fallback)
// for a kernel a backend does not support.
#include "backends/reference/reference_backend.h"
#include "framework/backend_registry.h"
#include "support/test_support.h"

using namespace gaze;

namespace {

// A backend without softmax, as a new backend is while it is being written.
class NoSoftmaxBackend : public ReferenceBackend {
 public:
  std::string name() const override { return "no_softmax"; }
  bool supports(Op op, DType dtype) const override {
    return op != Op::softmax_forward && ReferenceBackend::supports(op, dtype);
  }
};

}  // namespace

TEST_CASE("an unknown backend name lists the backends built") {
  CHECK_THROWS_WITH_AS(set_cpu_backend("cudnn"), doctest::Contains("unknown backend 'cudnn'; built:"), Error);
  CHECK_THROWS_WITH_AS(get_backend("x"), doctest::Contains("reference"), Error);
}

TEST_CASE("a kernel the backend does not support is an error naming backend, op and dtype, unless fallback is on") {
  register_backend(std::make_unique<NoSoftmaxBackend>());
  CHECK_THROWS_WITH_AS(register_backend(std::make_unique<NoSoftmaxBackend>()), doctest::Contains("already registered"), Error);
  set_cpu_backend("no_softmax");
  Tensor x = randn({2, 5});
  CHECK_THROWS_WITH_AS(softmax(x, 1), "backend 'no_softmax' does not support op 'softmax_forward' for dtype f32 "
                                      "(enable fallback to run it on 'reference')", Error);
  CHECK(relu(x).shape() == x.shape());  // what it supports still runs on it
  set_backend_fallback(true);
  Tensor y = softmax(x, 1);
  CHECK(sum(y).item() == doctest::Approx(2.0));
  set_backend_fallback(false);
  CHECK_THROWS_WITH_AS(unregister_backend("no_softmax"), doctest::Contains("is the selected backend"), Error);
  set_cpu_backend("reference");
  unregister_backend("no_softmax");
  CHECK_THROWS_AS(get_backend("no_softmax"), Error);
}
