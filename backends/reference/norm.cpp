// Reference batch norm (training statistics) and softmax / log-softmax.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

namespace {

// [N, C, *] as (N, C, inner).
struct ChannelLayout {
  int64_t n, c, inner;
};

ChannelLayout channel_layout(const KernelArg& x, const char* op) {
  if (x.dim() < 2) fail("reference {}: expected [N,C,*], got shape {}", op, shape_str(x.shape));
  if (!x.is_contiguous()) fail("reference {}: the array must be contiguous", op);
  int64_t inner = 1;
  for (int64_t d = 2; d < x.dim(); ++d) inner *= x.shape[d];
  return {x.shape[0], x.shape[1], inner};
}

// axis_layout() for softmax, which also needs contiguous arrays.
AxisLayout softmax_layout(const KernelArg& x, int64_t dim, const char* op) {
  if (!x.is_contiguous()) fail("reference {}: the array must be contiguous", op);
  return axis_layout(x, dim);
}

}  // namespace

void ReferenceBackend::batch_norm_forward(const KernelArg& out, const KernelArg& save_mean,
                                          const KernelArg& save_invstd, const KernelArg& x,
                                          const KernelArg& weight, const KernelArg& bias,
                                          double eps) {
  ChannelLayout l = channel_layout(x, "batch_norm_forward");
  dispatch_floating(x.dtype, "batch_norm_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    double count = static_cast<double>(l.n * l.inner);
    for (int64_t c = 0; c < l.c; ++c) {
      double sum = 0.0;
      for (int64_t n = 0; n < l.n; ++n)
        for (int64_t i = 0; i < l.inner; ++i) sum += static_cast<double>(xs[(n * l.c + c) * l.inner + i]);
      double mean = sum / count;
      double sq = 0.0;
      for (int64_t n = 0; n < l.n; ++n)
        for (int64_t i = 0; i < l.inner; ++i) {
          double d = static_cast<double>(xs[(n * l.c + c) * l.inner + i]) - mean;
          sq += d * d;
        }
      double invstd = 1.0 / std::sqrt(sq / count + eps);
      double w = weight.data ? static_cast<double>(weight.ptr<T>()[c]) : 1.0;
      double b = bias.data ? static_cast<double>(bias.ptr<T>()[c]) : 0.0;
      for (int64_t n = 0; n < l.n; ++n)
        for (int64_t i = 0; i < l.inner; ++i) {
          int64_t k = (n * l.c + c) * l.inner + i;
          o[k] = static_cast<T>((static_cast<double>(xs[k]) - mean) * invstd * w + b);
        }
      save_mean.ptr<T>()[c] = static_cast<T>(mean);
      save_invstd.ptr<T>()[c] = static_cast<T>(invstd);
    }
  });
}

void ReferenceBackend::batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight,
                                           const KernelArg& grad_bias, const KernelArg& grad_out,
                                           const KernelArg& x, const KernelArg& weight,
                                           const KernelArg& save_mean,
                                           const KernelArg& save_invstd) {
  ChannelLayout l = channel_layout(x, "batch_norm_backward");
  dispatch_floating(x.dtype, "batch_norm_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    const T* go = grad_out.ptr<T>();
    double count = static_cast<double>(l.n * l.inner);
    for (int64_t c = 0; c < l.c; ++c) {
      double mean = static_cast<double>(save_mean.ptr<T>()[c]);
      double invstd = static_cast<double>(save_invstd.ptr<T>()[c]);
      double w = weight.data ? static_cast<double>(weight.ptr<T>()[c]) : 1.0;
      double sum_g = 0.0, sum_g_xhat = 0.0;
      for (int64_t n = 0; n < l.n; ++n)
        for (int64_t i = 0; i < l.inner; ++i) {
          int64_t k = (n * l.c + c) * l.inner + i;
          double g = static_cast<double>(go[k]);
          sum_g += g;
          sum_g_xhat += g * (static_cast<double>(xs[k]) - mean) * invstd;
        }
      if (grad_bias.data) grad_bias.ptr<T>()[c] = static_cast<T>(sum_g);
      if (grad_weight.data) grad_weight.ptr<T>()[c] = static_cast<T>(sum_g_xhat);
      if (!grad_x.data) continue;
      // dx = w·invstd/M · (M·g − Σg − x̂·Σ(g·x̂))
      for (int64_t n = 0; n < l.n; ++n)
        for (int64_t i = 0; i < l.inner; ++i) {
          int64_t k = (n * l.c + c) * l.inner + i;
          double xhat = (static_cast<double>(xs[k]) - mean) * invstd;
          double g = static_cast<double>(go[k]);
          grad_x.ptr<T>()[k] = static_cast<T>(w * invstd / count * (count * g - sum_g - xhat * sum_g_xhat));
        }
    }
  });
}

void ReferenceBackend::softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim,
                                       bool log) {
  AxisLayout l = softmax_layout(x, dim, "softmax_forward");
  dispatch_floating(x.dtype, "softmax_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    for (int64_t a = 0; a < l.outer; ++a)
      for (int64_t b = 0; b < l.inner; ++b) {
        auto at = [&](int64_t i) { return (a * l.size + i) * l.inner + b; };
        double max = -std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < l.size; ++i) max = std::max(max, static_cast<double>(xs[at(i)]));
        double sum = 0.0;
        for (int64_t i = 0; i < l.size; ++i) sum += std::exp(static_cast<double>(xs[at(i)]) - max);
        for (int64_t i = 0; i < l.size; ++i) {
          double shifted = static_cast<double>(xs[at(i)]) - max;
          o[at(i)] = static_cast<T>(log ? shifted - std::log(sum) : std::exp(shifted) / sum);
        }
      }
  });
}

void ReferenceBackend::softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y,
                                        const KernelArg& y, int64_t dim, bool log) {
  AxisLayout l = softmax_layout(y, dim, "softmax_backward");
  dispatch_floating(y.dtype, "softmax_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* ys = y.ptr<T>();
    const T* gy = grad_y.ptr<T>();
    T* gx = grad_x.ptr<T>();
    for (int64_t a = 0; a < l.outer; ++a)
      for (int64_t b = 0; b < l.inner; ++b) {
        auto at = [&](int64_t i) { return (a * l.size + i) * l.inner + b; };
        double dot = 0.0;  // softmax: Σ g·y; log-softmax: Σ g
        for (int64_t i = 0; i < l.size; ++i)
          dot += static_cast<double>(gy[at(i)]) * (log ? 1.0 : static_cast<double>(ys[at(i)]));
        for (int64_t i = 0; i < l.size; ++i) {
          double g = static_cast<double>(gy[at(i)]), yv = static_cast<double>(ys[at(i)]);
          gx[at(i)] = static_cast<T>(log ? g - std::exp(yv) * dot : yv * (g - dot));
        }
      }
  });
}

}  // namespace gaze
