// Reference negative log-likelihood: the gather (and its scatter) under every classification
// loss.
#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

namespace {

int64_t checked_class(int64_t t, int64_t classes, int64_t m) {
  if (t < 0 || t >= classes)
    fail("nll_loss: target {} of sample {} is outside [0, {}) and is not ignore_index", t, m,
         classes);
  return t;
}

}  // namespace

void ReferenceBackend::nll_loss_forward(const KernelArg& loss, const KernelArg& sample_weight,
                                        const KernelArg& logp, const KernelArg& target,
                                        const KernelArg& weight, int64_t ignore_index) {
  int64_t m = logp.shape[0], classes = logp.shape[1];
  dispatch_floating(logp.dtype, "nll_loss_forward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t* t = target.ptr<int64_t>();
    for (int64_t i = 0; i < m; ++i) {
      if (t[i] == ignore_index) {
        loss.ptr<T>()[i] = T(0);
        sample_weight.ptr<T>()[i] = T(0);
        continue;
      }
      int64_t c = checked_class(t[i], classes, i);
      T w = weight.data ? weight.ptr<T>()[c] : T(1);
      loss.ptr<T>()[i] = -w * logp.ptr<T>()[i * classes + c];
      sample_weight.ptr<T>()[i] = w;
    }
  });
}

void ReferenceBackend::nll_loss_backward(const KernelArg& grad_logp, const KernelArg& grad_loss,
                                         const KernelArg& target, const KernelArg& weight,
                                         int64_t ignore_index) {
  int64_t m = grad_logp.shape[0], classes = grad_logp.shape[1];
  dispatch_floating(grad_logp.dtype, "nll_loss_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t* t = target.ptr<int64_t>();
    T* g = grad_logp.ptr<T>();
    std::fill(g, g + m * classes, T(0));
    for (int64_t i = 0; i < m; ++i) {
      if (t[i] == ignore_index) continue;
      int64_t c = checked_class(t[i], classes, i);
      T w = weight.data ? weight.ptr<T>()[c] : T(1);
      g[i * classes + c] = -w * grad_loss.ptr<T>()[i];
    }
  });
}

}  // namespace gaze
