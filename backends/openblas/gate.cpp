// The gating kernels, each one pass over x (and grad_out), OpenMP-parallel. A per-channel gate
// ([N,C,1]) walks x as N·C rows of L positions, a row per task; a per-position gate ([N,1,L])
// walks it as N samples × blocks of positions, each task folding the C channels of its block
// into accumulators that stay in L1. The AVX2 version is chosen at run time (vectorize.h).
// Row sums are in double, as the openblas row reduction; sums over channels in the element
// type, as its channel reduction: either way the fused layers agree with their composite form
// to the element type's rounding.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/gate_dims.h"
#include "backends/reference/loops.h"

namespace gaze {
namespace {

using reference::GateDims;

constexpr int64_t kGateParallelMin = 32768;  // elements below which one thread is faster
constexpr int64_t kGateBlock = 256;          // positions per task for a per-position operand
constexpr int kGateLanes = 8;                // independent accumulators per row, so the row loop vectorizes

int64_t position_blocks(const GateDims& d) { return (d.length + kGateBlock - 1) / kGateBlock; }

// The max rule of the max reduction: a NaN wins, and then stays (nothing compares greater).
template <typename T>
[[gnu::always_inline]] inline T max_keeping_nan(T best, T v) {
  return (v > best) | (v != v) ? v : best;  // | rather than ||: no branch, so the loops vectorize
}

// ---- per-channel rows: x[r*L .. r*L+L) against one gate value.

template <typename T>
[[gnu::always_inline]] inline void gate_row_scale(T* out, const T* x, T g, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = x[i] * g;
}

// Eight lanes of T, and the double sums as vectors of four (the row loops keep four of them):
// GCC's vector types, because the compiler does not vectorize the double sums and NaN-keeping
// maxima of a plain loop by itself. Not one vector of eight doubles: without AVX-512 GCC kept that accumulator on the stack and
// reloaded it in pieces every iteration (a store-forwarding stall per 8 elements; perf showed
// the SE backward's row loop at ~4 GB/s).
template <typename T>
using GateLanes [[gnu::vector_size(kGateLanes * sizeof(T))]] = T;
template <typename T>
using GateHalf [[gnu::vector_size(kGateLanes / 2 * sizeof(T))]] = T;
using GateSums [[gnu::vector_size(kGateLanes / 2 * sizeof(double))]] = double;

// Loads through a reference, not a return value: a returned AVX vector would draw GCC's ABI note.
template <typename T>
[[gnu::always_inline]] inline void gate_load_lanes(GateLanes<T>& v, const T* p) {
  std::memcpy(&v, p, sizeof v);
}

// The low and high four lanes of v, widened to double.
template <typename T>
[[gnu::always_inline]] inline void gate_widen(const GateLanes<T>& v, GateSums& low, GateSums& high) {
  GateHalf<T> a, b;
  std::memcpy(&a, &v, sizeof a);
  std::memcpy(&b, reinterpret_cast<const char*>(&v) + sizeof a, sizeof b);
  low = __builtin_convertvector(a, GateSums);
  high = __builtin_convertvector(b, GateSums);
}

// grad_x = grad_out · g over the row; returns Σ grad_out · x. grad_out steps by `step` (1, or 0
// for the broadcast gradient of a sum).
template <typename T>
[[gnu::always_inline]] inline double gate_row_scale_dot(T* gx, const T* go, int64_t step, const T* x, T g, int64_t n) {
  // Two blocks of lanes per iteration into four accumulators: four independent chains of adds,
  // so that an add's latency does not bound the loop.
  GateSums acc[4] = {};
  int64_t i = 0;
  if (step == 1 || step == 0) {
    const GateLanes<T> broadcast = GateLanes<T>{} + go[0];
    for (; i + 2 * kGateLanes <= n; i += 2 * kGateLanes)
      for (int half = 0; half < 2; ++half) {
        const int64_t at = i + half * kGateLanes;
        GateLanes<T> d = broadcast, xv;
        if (step == 1) gate_load_lanes<T>(d, go + at);
        gate_load_lanes<T>(xv, x + at);
        GateLanes<T> scaled = d * g;
        std::memcpy(gx + at, &scaled, sizeof scaled);
        GateSums d_low, d_high, x_low, x_high;
        gate_widen<T>(d, d_low, d_high);
        gate_widen<T>(xv, x_low, x_high);
        acc[2 * half] += d_low * x_low;
        acc[2 * half + 1] += d_high * x_high;
      }
  }
  double sum = 0.0;
  for (; i < n; ++i) {
    gx[i] = go[i * step] * g;
    sum += static_cast<double>(go[i * step]) * static_cast<double>(x[i]);
  }
  for (int j = 0; j < kGateLanes / 2; ++j) sum += (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
  return sum;
}

// Σ x and max x over a row of n ≥ 1.
template <typename T>
[[gnu::always_inline]] inline void gate_row_sum_max(const T* x, int64_t n, double& sum_out, T& max_out) {
  GateSums acc[4] = {};
  GateLanes<T> best = GateLanes<T>{} + x[0];
  int64_t i = 0;
  for (; i + 2 * kGateLanes <= n; i += 2 * kGateLanes)
    for (int half = 0; half < 2; ++half) {
      GateLanes<T> v;
      gate_load_lanes<T>(v, x + i + half * kGateLanes);
      GateSums low, high;
      gate_widen<T>(v, low, high);
      acc[2 * half] += low;
      acc[2 * half + 1] += high;
      best = (v > best) | (v != v) ? v : best;  // max_keeping_nan, lane by lane
    }
  double sum = 0.0;
  T m = x[0];
  for (; i < n; ++i) {
    sum += static_cast<double>(x[i]);
    m = max_keeping_nan(m, x[i]);
  }
  for (int j = 0; j < kGateLanes / 2; ++j) sum += (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
  for (int j = 0; j < kGateLanes; ++j) m = max_keeping_nan(m, static_cast<T>(best[j]));
  sum_out = sum;
  max_out = m;
}

// grad_x over a row: from_mean everywhere, plus grad_max shared among the positions equal to mx.
// The loops select a value to add rather than one of two results, and count the ties in a
// 32-bit lane per element: written as `x == mx ? a : b` over 64-bit counts, GCC left both loops
// scalar, with a branch per element (perf: the CBAM backward's largest kernel).
template <typename T>
[[gnu::always_inline]] inline void gate_row_pool_backward(T* gx, const T* x, int64_t n, T mx, T from_mean, T grad_max) {
  int64_t ties = 0;
  for (int64_t i0 = 0; i0 < n; i0 += INT32_MAX) {  // 32-bit counts, in chunks that cannot overflow
    int32_t chunk = 0;
    for (int64_t i = i0, end = std::min(n, i0 + INT32_MAX); i < end; ++i) chunk += x[i] == mx;
    ties += chunk;
  }
  const T share = grad_max / static_cast<T>(ties);
  for (int64_t i = 0; i < n; ++i) gx[i] = from_mean + (x[i] == mx ? share : T(0));
}

// ---- per-position blocks: channels c of positions [l0, l0+len) of one sample (x at its
// sample's start, rows L apart), against len gate values.

template <typename T>
[[gnu::always_inline]] inline void gate_block_scale(T* out, const T* x, const T* g, int64_t channels, int64_t stride, int64_t len) {
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t l = 0; l < len; ++l) out[c * stride + l] = x[c * stride + l] * g[l];
}

// grad_out at go, its channels go_c apart and its positions go_l apart (contiguous: stride and 1).
template <typename T>
[[gnu::always_inline]] inline void gate_block_scale_dot(T* gx, T* sums, const T* go, int64_t go_c, int64_t go_l, const T* x,
                                                        const T* g, int64_t channels, int64_t stride, int64_t len) {
  for (int64_t l = 0; l < len; ++l) sums[l] = T(0);
  if (go_c == stride && go_l == 1) {
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t l = 0; l < len; ++l) {
        gx[c * stride + l] = go[c * stride + l] * g[l];
        sums[l] += go[c * stride + l] * x[c * stride + l];
      }
    return;
  }
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t l = 0; l < len; ++l) {
      T gov = go[c * go_c + l * go_l];
      gx[c * stride + l] = gov * g[l];
      sums[l] += gov * x[c * stride + l];
    }
}

template <typename T>
[[gnu::always_inline]] inline void gate_block_sum_max(T* sums, T* best, const T* x, int64_t channels, int64_t stride, int64_t len) {
  for (int64_t l = 0; l < len; ++l) sums[l] = best[l] = x[l];
  for (int64_t c = 1; c < channels; ++c)
    for (int64_t l = 0; l < len; ++l) {
      sums[l] += x[c * stride + l];
      best[l] = max_keeping_nan(best[l], x[c * stride + l]);
    }
}

// ties: scratch of len; from_mean and grad_max hold the block's values; share is written.
template <typename T>
[[gnu::always_inline]] inline void gate_block_pool_backward(T* gx, T* ties, const T* x, const T* mx, const T* from_mean,
                                                            const T* grad_max, int64_t channels, int64_t stride, int64_t len) {
  for (int64_t l = 0; l < len; ++l) ties[l] = T(0);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t l = 0; l < len; ++l) ties[l] += x[c * stride + l] == mx[l] ? T(1) : T(0);
  for (int64_t l = 0; l < len; ++l) ties[l] = grad_max[l] / ties[l];  // each position's share
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t l = 0; l < len; ++l) gx[c * stride + l] = from_mean[l] + (x[c * stride + l] == mx[l] ? ties[l] : T(0));
}

// The row and block loops compiled twice, AVX2/FMA and baseline, the better chosen at run time.
// They are called from the OpenMP loops below rather than holding them: the outlined body of an
// OpenMP loop is a function of its own, which target_clones would not reach.
#define GAZE_GATE_CLONES(T)                                                                                             \
  GAZE_VECTORIZE void gate_scale_row(T* out, const T* x, T g, int64_t n) { gate_row_scale(out, x, g, n); }              \
  GAZE_VECTORIZE double gate_scale_dot_row(T* gx, const T* go, int64_t step, const T* x, T g, int64_t n) {              \
    return gate_row_scale_dot(gx, go, step, x, g, n);                                                                   \
  }                                                                                                                     \
  GAZE_VECTORIZE void gate_sum_max_row(const T* x, int64_t n, double& sum, T& best) { gate_row_sum_max(x, n, sum, best); } \
  GAZE_VECTORIZE void gate_pool_backward_row(T* gx, const T* x, int64_t n, T mx, T from_mean, T grad_max) {             \
    gate_row_pool_backward(gx, x, n, mx, from_mean, grad_max);                                                          \
  }                                                                                                                     \
  GAZE_VECTORIZE void gate_scale_block(T* out, const T* x, const T* g, int64_t channels, int64_t stride, int64_t len) { \
    gate_block_scale(out, x, g, channels, stride, len);                                                                 \
  }                                                                                                                     \
  GAZE_VECTORIZE void gate_scale_dot_block(T* gx, T* sums, const T* go, int64_t go_c, int64_t go_l, const T* x,         \
                                           const T* g, int64_t channels, int64_t stride, int64_t len) {                 \
    gate_block_scale_dot(gx, sums, go, go_c, go_l, x, g, channels, stride, len);                                        \
  }                                                                                                                     \
  GAZE_VECTORIZE void gate_sum_max_block(T* sums, T* best, const T* x, int64_t channels, int64_t stride, int64_t len) { \
    gate_block_sum_max(sums, best, x, channels, stride, len);                                                           \
  }                                                                                                                     \
  GAZE_VECTORIZE void gate_pool_backward_block(T* gx, T* ties, const T* x, const T* mx, const T* from_mean,             \
                                               const T* grad_max, int64_t channels, int64_t stride, int64_t len) {      \
    gate_block_pool_backward(gx, ties, x, mx, from_mean, grad_max, channels, stride, len);                              \
  }
GAZE_GATE_CLONES(float)
GAZE_GATE_CLONES(double)
#undef GAZE_GATE_CLONES

// The kernels over all of x, parallel over rows or (sample, block) tasks. `small` strides
// locate the [N,C,1] or [N,1,L] operands, which may be views.

template <typename T>
void gate_forward_all(const GateDims& d, T* out, const T* x, const T* g, const Shape& gs) {
  const int64_t total = d.batch * d.channels * d.length;
  if (d.per_channel) {
    const int64_t rows = d.batch * d.channels;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
    for (int64_t r = 0; r < rows; ++r)
      gate_scale_row(out + r * d.length, x + r * d.length, g[(r / d.channels) * gs[0] + (r % d.channels) * gs[1]], d.length);
    return;
  }
  const int64_t blocks = position_blocks(d), tasks = d.batch * blocks;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t n = t / blocks, l0 = (t % blocks) * kGateBlock, len = std::min(kGateBlock, d.length - l0);
    std::array<T, kGateBlock> gate;
    for (int64_t l = 0; l < len; ++l) gate[l] = g[n * gs[0] + (l0 + l) * gs[2]];
    int64_t base = n * d.channels * d.length + l0;
    gate_scale_block(out + base, x + base, gate.data(), d.channels, d.length, len);
  }
}

template <typename T>
void gate_backward_all(const GateDims& d, T* gx, T* gg, const Shape& ggs, const T* go, const Shape& gos,
                                                     const T* x, const T* g, const Shape& gs) {
  const int64_t total = d.batch * d.channels * d.length;
  if (d.per_channel) {
    const int64_t rows = d.batch * d.channels;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      int64_t n = r / d.channels, c = r % d.channels, at = r * d.length;
      double sum = gate_scale_dot_row(gx + at, go + n * gos[0] + c * gos[1], gos[2], x + at, g[n * gs[0] + c * gs[1]], d.length);
      gg[n * ggs[0] + c * ggs[1]] = static_cast<T>(sum);
    }
    return;
  }
  const int64_t blocks = position_blocks(d), tasks = d.batch * blocks;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t n = t / blocks, l0 = (t % blocks) * kGateBlock, len = std::min(kGateBlock, d.length - l0);
    std::array<T, kGateBlock> gate, sums;
    for (int64_t l = 0; l < len; ++l) gate[l] = g[n * gs[0] + (l0 + l) * gs[2]];
    int64_t base = n * d.channels * d.length + l0;
    gate_scale_dot_block(gx + base, sums.data(), go + n * gos[0] + l0 * gos[2], gos[1], gos[2], x + base, gate.data(), d.channels,
                         d.length, len);
    for (int64_t l = 0; l < len; ++l) gg[n * ggs[0] + (l0 + l) * ggs[2]] = sums[l];
  }
}

template <typename T>
void pool_forward_all(const GateDims& d, T* mean, const Shape& ms, T* mx, const Shape& xs_, const T* x) {
  const int64_t total = d.batch * d.channels * d.length;
  if (d.per_channel) {
    const int64_t rows = d.batch * d.channels;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      int64_t n = r / d.channels, c = r % d.channels;
      double sum;
      T best;
      gate_sum_max_row(x + r * d.length, d.length, sum, best);
      mean[n * ms[0] + c * ms[1]] = static_cast<T>(sum / static_cast<double>(d.length));
      mx[n * xs_[0] + c * xs_[1]] = best;
    }
    return;
  }
  const int64_t blocks = position_blocks(d), tasks = d.batch * blocks;
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t n = t / blocks, l0 = (t % blocks) * kGateBlock, len = std::min(kGateBlock, d.length - l0);
    std::array<T, kGateBlock> sums, best;
    gate_sum_max_block(sums.data(), best.data(), x + n * d.channels * d.length + l0, d.channels, d.length, len);
    for (int64_t l = 0; l < len; ++l) {
      mean[n * ms[0] + (l0 + l) * ms[2]] = sums[l] / static_cast<T>(d.channels);
      mx[n * xs_[0] + (l0 + l) * xs_[2]] = best[l];
    }
  }
}

template <typename T>
void pool_backward_all(const GateDims& d, T* gx, const T* gmean, const Shape& gms, const T* gmax,
                                                     const Shape& gxs, const T* x, const T* mx, const Shape& mxs) {
  const int64_t total = d.batch * d.channels * d.length;
  if (d.per_channel) {
    const int64_t rows = d.batch * d.channels;
    const T count = static_cast<T>(d.length);
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      int64_t n = r / d.channels, c = r % d.channels, at = r * d.length;
      gate_pool_backward_row(gx + at, x + at, d.length, mx[n * mxs[0] + c * mxs[1]], gmean[n * gms[0] + c * gms[1]] / count,
                             gmax[n * gxs[0] + c * gxs[1]]);
    }
    return;
  }
  const int64_t blocks = position_blocks(d), tasks = d.batch * blocks;
  const T count = static_cast<T>(d.channels);
#pragma omp parallel for schedule(static) if (total >= kGateParallelMin)
  for (int64_t t = 0; t < tasks; ++t) {
    int64_t n = t / blocks, l0 = (t % blocks) * kGateBlock, len = std::min(kGateBlock, d.length - l0);
    std::array<T, kGateBlock> best, from_mean, grad_max, ties;
    for (int64_t l = 0; l < len; ++l) {
      best[l] = mx[n * mxs[0] + (l0 + l) * mxs[2]];
      from_mean[l] = gmean[n * gms[0] + (l0 + l) * gms[2]] / count;
      grad_max[l] = gmax[n * gxs[0] + (l0 + l) * gxs[2]];
    }
    int64_t base = n * d.channels * d.length + l0;
    gate_pool_backward_block(gx + base, ties.data(), x + base, best.data(), from_mean.data(), grad_max.data(), d.channels,
                             d.length, len);
  }
}

}  // namespace

void OpenblasBackend::gate_multiply_forward(const KernelArg& out, const KernelArg& x, const KernelArg& gate) {
  const char* who = "openblas gate_multiply_forward";
  GateDims d = reference::gate_dims(who, x, gate);
  reference::check_like(who, "out", out, x, true);
  if (x.dtype == DType::f32) gate_forward_all<float>(d, out.ptr<float>(), x.ptr<float>(), gate.ptr<float>(), gate.strides);
  else gate_forward_all<double>(d, out.ptr<double>(), x.ptr<double>(), gate.ptr<double>(), gate.strides);
}

void OpenblasBackend::gate_multiply_backward(const KernelArg& grad_x, const KernelArg& grad_gate, const KernelArg& grad_out,
                                             const KernelArg& x, const KernelArg& gate) {
  const char* who = "openblas gate_multiply_backward";
  GateDims d = reference::gate_dims(who, x, gate);
  reference::check_like(who, "grad_x", grad_x, x, true);
  reference::check_like(who, "grad_out", grad_out, x, false);
  reference::check_like(who, "grad_gate", grad_gate, gate, false);
  if (x.dtype == DType::f32)
    gate_backward_all<float>(d, grad_x.ptr<float>(), grad_gate.ptr<float>(), grad_gate.strides, grad_out.ptr<float>(), grad_out.strides,
                      x.ptr<float>(), gate.ptr<float>(), gate.strides);
  else
    gate_backward_all<double>(d, grad_x.ptr<double>(), grad_gate.ptr<double>(), grad_gate.strides, grad_out.ptr<double>(),
                      grad_out.strides, x.ptr<double>(), gate.ptr<double>(), gate.strides);
}

void OpenblasBackend::mean_max_pool_forward(const KernelArg& mean, const KernelArg& max, const KernelArg& x) {
  const char* who = "openblas mean_max_pool_forward";
  GateDims d = reference::gate_dims(who, x, mean);
  reference::check_like(who, "max", max, mean, false);
  if (d.reduced() == 0) fail("{}: nothing to pool over in x {}", who, shape_str(x.shape));
  if (x.dtype == DType::f32) pool_forward_all<float>(d, mean.ptr<float>(), mean.strides, max.ptr<float>(), max.strides, x.ptr<float>());
  else pool_forward_all<double>(d, mean.ptr<double>(), mean.strides, max.ptr<double>(), max.strides, x.ptr<double>());
}

void OpenblasBackend::mean_max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_mean, const KernelArg& grad_max,
                                             const KernelArg& x, const KernelArg& max) {
  const char* who = "openblas mean_max_pool_backward";
  GateDims d = reference::gate_dims(who, x, max);
  reference::check_like(who, "grad_x", grad_x, x, true);
  reference::check_like(who, "grad_mean", grad_mean, max, false);
  reference::check_like(who, "grad_max", grad_max, max, false);
  if (x.dtype == DType::f32)
    pool_backward_all<float>(d, grad_x.ptr<float>(), grad_mean.ptr<float>(), grad_mean.strides, grad_max.ptr<float>(), grad_max.strides,
                      x.ptr<float>(), max.ptr<float>(), max.strides);
  else
    pool_backward_all<double>(d, grad_x.ptr<double>(), grad_mean.ptr<double>(), grad_mean.strides, grad_max.ptr<double>(),
                      grad_max.strides, x.ptr<double>(), max.ptr<double>(), max.strides);
}

}  // namespace gaze
