// Softmax and batch norm, parallel over independent slices (softmax rows, channels).
#include <cmath>
#include <limits>
#include <type_traits>

#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/loops.h"

namespace gaze {
using namespace reference;

void OpenblasBackend::softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) {
  if (!x.is_contiguous() || !out.is_contiguous()) return ReferenceBackend::softmax_forward(out, x, dim, log);
  AxisLayout l = axis_layout(x, dim);
  dispatch_floating(x.dtype, "softmax_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
#pragma omp parallel for schedule(static) if (x.numel() >= 16384)
    for (int64_t slice = 0; slice < l.outer * l.inner; ++slice) {
      int64_t a = slice / l.inner, b = slice % l.inner;
      const T* xr = xs + a * l.size * l.inner + b;
      T* orow = o + a * l.size * l.inner + b;
      int64_t s = l.inner;
      T max = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < l.size; ++i) max = std::max(max, xr[i * s]);
      double sum = 0.0;
      if (log) {
        for (int64_t i = 0; i < l.size; ++i) sum += std::exp(static_cast<double>(xr[i * s] - max));
        T shift = static_cast<T>(std::log(sum));
        for (int64_t i = 0; i < l.size; ++i) orow[i * s] = xr[i * s] - max - shift;
      } else {
        for (int64_t i = 0; i < l.size; ++i) {
          T e = std::exp(xr[i * s] - max);
          orow[i * s] = e;
          sum += e;
        }
        T scale = static_cast<T>(1.0 / sum);
        for (int64_t i = 0; i < l.size; ++i) orow[i * s] *= scale;
      }
    }
  });
}

void OpenblasBackend::softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& y, int64_t dim,
                                       bool log) {
  if (!y.is_contiguous() || !grad_y.is_contiguous() || !grad_x.is_contiguous())
    return ReferenceBackend::softmax_backward(grad_x, grad_y, y, dim, log);
  AxisLayout l = axis_layout(y, dim);
  dispatch_floating(y.dtype, "softmax_backward", [&](auto zero) {
    using T = decltype(zero);
#pragma omp parallel for schedule(static) if (y.numel() >= 16384)
    for (int64_t slice = 0; slice < l.outer * l.inner; ++slice) {
      int64_t base = (slice / l.inner) * l.size * l.inner + slice % l.inner, s = l.inner;
      const T* yr = y.ptr<T>() + base;
      const T* gy = grad_y.ptr<T>() + base;
      T* gx = grad_x.ptr<T>() + base;
      double dot = 0.0;
      for (int64_t i = 0; i < l.size; ++i) dot += static_cast<double>(gy[i * s]) * (log ? 1.0 : static_cast<double>(yr[i * s]));
      T d = static_cast<T>(dot);
      if (log) {
        for (int64_t i = 0; i < l.size; ++i) gx[i * s] = gy[i * s] - std::exp(yr[i * s]) * d;
      } else {
        for (int64_t i = 0; i < l.size; ++i) gx[i * s] = yr[i * s] * (gy[i * s] - d);
      }
    }
  });
}

namespace {

// Batch norm's per-channel loops for f32. A channel is `rows` runs of `inner` floats, `stride`
// apart (one run per sample). The sums are in double, kept in kBatchNormLanes independent
// partial sums that each add their own elements in order: the compiler holds them in vector
// registers, and the result does not depend on which clone (AVX2 or plain) runs.
constexpr int kBatchNormLanes = 16;

double batch_norm_fold_lanes(const double* lane) {
  double total = 0.0;
  for (int k = 0; k < kBatchNormLanes; ++k) total += lane[k];
  return total;
}

// Σ (x − center)^power over the channel, power 1 or 2.
GAZE_VECTORIZE double batch_norm_channel_moment(const float* x, int64_t rows, int64_t stride, int64_t inner,
                                                double center, int power) {
  double lane[kBatchNormLanes] = {};
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = x + r * stride;
    int64_t i = 0;
    if (power == 1) {
      for (; i + kBatchNormLanes <= inner; i += kBatchNormLanes)
        for (int k = 0; k < kBatchNormLanes; ++k) lane[k] += static_cast<double>(p[i + k]) - center;
      for (int k = 0; i + k < inner; ++k) lane[k] += static_cast<double>(p[i + k]) - center;
    } else {
      for (; i + kBatchNormLanes <= inner; i += kBatchNormLanes)
        for (int k = 0; k < kBatchNormLanes; ++k) {
          double d = static_cast<double>(p[i + k]) - center;
          lane[k] += d * d;
        }
      for (int k = 0; i + k < inner; ++k) {
        double d = static_cast<double>(p[i + k]) - center;
        lane[k] += d * d;
      }
    }
  }
  return batch_norm_fold_lanes(lane);
}

// Σg and Σg·(x − mean) over the channel.
GAZE_VECTORIZE void batch_norm_channel_grad_sums(const float* x, const float* g, int64_t rows, int64_t stride,
                                                 int64_t inner, double mean, double* sum_g, double* sum_gx) {
  double lane_g[kBatchNormLanes] = {}, lane_gx[kBatchNormLanes] = {};
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = x + r * stride;
    const float* q = g + r * stride;
    int64_t i = 0;
    for (; i + kBatchNormLanes <= inner; i += kBatchNormLanes)
      for (int k = 0; k < kBatchNormLanes; ++k) {
        double gv = static_cast<double>(q[i + k]);
        lane_g[k] += gv;
        lane_gx[k] += gv * (static_cast<double>(p[i + k]) - mean);
      }
    for (int k = 0; i + k < inner; ++k) {
      double gv = static_cast<double>(q[i + k]);
      lane_g[k] += gv;
      lane_gx[k] += gv * (static_cast<double>(p[i + k]) - mean);
    }
  }
  *sum_g = batch_norm_fold_lanes(lane_g);
  *sum_gx = batch_norm_fold_lanes(lane_gx);
}

// out = x·scale + shift over the channel.
GAZE_VECTORIZE void batch_norm_channel_affine(float* out, const float* x, int64_t rows, int64_t stride, int64_t inner,
                                              float scale, float shift) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = x + r * stride;
    float* q = out + r * stride;
    for (int64_t i = 0; i < inner; ++i) q[i] = p[i] * scale + shift;
  }
}

// grad_x = k·g + a·x + b over the channel.
GAZE_VECTORIZE void batch_norm_channel_grad_x(float* grad_x, const float* g, const float* x, int64_t rows,
                                              int64_t stride, int64_t inner, float k, float a, float b) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = x + r * stride;
    const float* q = g + r * stride;
    float* o = grad_x + r * stride;
    for (int64_t i = 0; i < inner; ++i) o[i] = k * q[i] + a * p[i] + b;
  }
}

// Σx, or Σ(x − mean)² when `mean` is given, over one channel in double.
template <typename T>
double batch_norm_channel_sum(const T* x, int64_t rows, int64_t stride, int64_t inner, const double* mean) {
  if constexpr (std::is_same_v<T, float>) {
    return mean ? batch_norm_channel_moment(x, rows, stride, inner, *mean, 2)
                : batch_norm_channel_moment(x, rows, stride, inner, 0.0, 1);
  } else {
    double sum = 0.0;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t i = 0; i < inner; ++i) {
        double d = static_cast<double>(x[r * stride + i]) - (mean ? *mean : 0.0);
        sum += mean ? d * d : d;
      }
    return sum;
  }
}

// Channels run in parallel when the array is large enough to pay for the threads.
constexpr int64_t kBatchNormParallelElements = 16384;

}  // namespace

void OpenblasBackend::batch_norm_forward(const KernelArg& out, const KernelArg& save_mean, const KernelArg& save_invstd,
                                         const KernelArg& x, const KernelArg& weight, const KernelArg& bias, double eps) {
  if (x.dim() < 2 || !x.is_contiguous()) return ReferenceBackend::batch_norm_forward(out, save_mean, save_invstd, x, weight, bias, eps);
  int64_t n = x.shape[0], c = x.shape[1], inner = x.numel() / std::max<int64_t>(n * c, 1);
  dispatch_floating(x.dtype, "batch_norm_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    double count = static_cast<double>(n * inner);
#pragma omp parallel for schedule(static) if (x.numel() >= kBatchNormParallelElements)
    for (int64_t ch = 0; ch < c; ++ch) {
      const T* channel = xs + ch * inner;
      double mean = batch_norm_channel_sum(channel, n, c * inner, inner, nullptr) / count;
      double sq = batch_norm_channel_sum(channel, n, c * inner, inner, &mean);
      double invstd = 1.0 / std::sqrt(sq / count + eps);
      double w = weight.data ? static_cast<double>(weight.ptr<T>()[ch]) : 1.0;
      double bb = bias.data ? static_cast<double>(bias.ptr<T>()[ch]) : 0.0;
      T scale = static_cast<T>(w * invstd), shift = static_cast<T>(bb - mean * w * invstd);
      if constexpr (std::is_same_v<T, float>) {
        batch_norm_channel_affine(o + ch * inner, channel, n, c * inner, inner, scale, shift);
      } else {
        for (int64_t b = 0; b < n; ++b) {
          const T* p = xs + (b * c + ch) * inner;
          T* q = o + (b * c + ch) * inner;
          for (int64_t i = 0; i < inner; ++i) q[i] = p[i] * scale + shift;
        }
      }
      save_mean.ptr<T>()[ch] = static_cast<T>(mean);
      save_invstd.ptr<T>()[ch] = static_cast<T>(invstd);
    }
  });
}

void OpenblasBackend::batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_bias,
                                          const KernelArg& grad_out, const KernelArg& x, const KernelArg& weight,
                                          const KernelArg& save_mean, const KernelArg& save_invstd) {
  if (x.dim() < 2 || !x.is_contiguous() || !grad_out.is_contiguous())
    return ReferenceBackend::batch_norm_backward(grad_x, grad_weight, grad_bias, grad_out, x, weight, save_mean, save_invstd);
  int64_t n = x.shape[0], c = x.shape[1], inner = x.numel() / std::max<int64_t>(n * c, 1);
  dispatch_floating(x.dtype, "batch_norm_backward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    const T* go = grad_out.ptr<T>();
    double count = static_cast<double>(n * inner);
#pragma omp parallel for schedule(static) if (x.numel() >= kBatchNormParallelElements)
    for (int64_t ch = 0; ch < c; ++ch) {
      double mean = static_cast<double>(save_mean.ptr<T>()[ch]), invstd = static_cast<double>(save_invstd.ptr<T>()[ch]);
      double w = weight.data ? static_cast<double>(weight.ptr<T>()[ch]) : 1.0;
      double sum_g = 0.0, sum_gx = 0.0;  // Σg and Σg·(x − mean)
      if constexpr (std::is_same_v<T, float>) {
        batch_norm_channel_grad_sums(xs + ch * inner, go + ch * inner, n, c * inner, inner, mean, &sum_g, &sum_gx);
      } else {
        for (int64_t b = 0; b < n; ++b) {
          const T* p = xs + (b * c + ch) * inner;
          const T* g = go + (b * c + ch) * inner;
          for (int64_t i = 0; i < inner; ++i) {
            sum_g += static_cast<double>(g[i]);
            sum_gx += static_cast<double>(g[i]) * (static_cast<double>(p[i]) - mean);
          }
        }
      }
      double sum_g_xhat = sum_gx * invstd;
      if (grad_bias.data) grad_bias.ptr<T>()[ch] = static_cast<T>(sum_g);
      if (grad_weight.data) grad_weight.ptr<T>()[ch] = static_cast<T>(sum_g_xhat);
      if (!grad_x.data) continue;
      // dx = w·invstd·(g − Σg/M − x̂·Σ(g·x̂)/M), as scale·g + a·x + b per element
      double k = w * invstd;
      T a = static_cast<T>(-k * invstd * sum_g_xhat / count);
      T b0 = static_cast<T>(-k * sum_g / count + k * invstd * sum_g_xhat / count * mean);
      T kk = static_cast<T>(k);
      if constexpr (std::is_same_v<T, float>) {
        batch_norm_channel_grad_x(grad_x.ptr<T>() + ch * inner, go + ch * inner, xs + ch * inner, n, c * inner, inner,
                                  kk, a, b0);
      } else {
        for (int64_t b = 0; b < n; ++b) {
          const T* p = xs + (b * c + ch) * inner;
          const T* g = go + (b * c + ch) * inner;
          T* q = grad_x.ptr<T>() + (b * c + ch) * inner;
          for (int64_t i = 0; i < inner; ++i) q[i] = kk * g[i] + a * p[i] + b0;
        }
      }
    }
  });
}

}  // namespace gaze
