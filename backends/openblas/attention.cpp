// Fused attention on the CPU (FlashAttention-2, Dao 2023): the [Nq, Nk] map is walked in tiles of
// kQueryTile queries × kKeyTile keys that live in one thread's cache; each tile's scores come from
// one GEMM on the tile, its softmax is kept online (a running max and sum per query row, the
// partial output rescaled when the max grows), and only the output and the per-row log-sum-exp
// reach memory. Backward recomputes each tile's probabilities from that log-sum-exp.
//
// Threads: the forward shares (batch, query tile) pairs out. The backward shares (batch, key tile)
// pairs out, so each thread owns its rows of dK and dV; every thread adds its dQ contributions
// into a private [B, Nq, Ck] buffer, summed at the end (no atomics, O(threads · B·Nq·Ck) memory).
// The BLAS calls run inside the parallel region, where OpenBLAS (on OpenMP) uses one thread.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/openblas/gemm.h"
#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/attention_dims.h"
#include "backends/reference/loops.h"

namespace gaze {
namespace {

// A tile of scores is kQueryTile × kKeyTile floats (32 KiB): it stays in L1/L2 between the GEMM
// that writes it and the one that reads it; the K and V tiles (kKeyTile × C) stay in L2.
constexpr int64_t kQueryTile = 64;
constexpr int64_t kKeyTile = 128;

// exp(x) = 2^n · exp(r) with n = round(x / ln 2), r = x − n·ln 2 (in two parts for accuracy) and
// exp(r) by Cephes' degree-6 polynomial: within 2 ulp of expf, and branch-free so the row loops
// vectorize. Below −87 it answers exp(−87) ≈ 1.6e−38, which changes no sum it joins.
[[gnu::always_inline]] inline float fast_exp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  const float shifter = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer
  float n = (x * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return e * scale;
}

// Row helpers, vectorized by the compiler (8 partial sums/maxima keep the reductions in lanes).
GAZE_VECTORIZE float row_max_f32(const float* x, int64_t n) {
  float m[8];
  for (float& v : m) v = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int u = 0; u < 8; ++u) m[u] = std::max(m[u], x[j + u]);
  for (; j < n; ++j) m[0] = std::max(m[0], x[j]);
  return *std::max_element(m, m + 8);
}
// x[j] = exp(x[j] − shift); returns Σ x[j].
GAZE_VECTORIZE float exp_shift_sum_f32(float* x, int64_t n, float shift) {
  float s[8] = {};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int u = 0; u < 8; ++u) {
      x[j + u] = fast_exp(x[j + u] - shift);
      s[u] += x[j + u];
    }
  for (; j < n; ++j) {
    x[j] = fast_exp(x[j] - shift);
    s[0] += x[j];
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}
// dp[j] = p[j] · (dp[j] − d)
GAZE_VECTORIZE void softmax_grad_row_f32(float* dp, const float* p, int64_t n, float d) {
  for (int64_t j = 0; j < n; ++j) dp[j] = p[j] * (dp[j] - d);
}

float row_max(const float* x, int64_t n) { return row_max_f32(x, n); }
double row_max(const double* x, int64_t n) { return *std::max_element(x, x + n); }
float exp_shift_sum(float* x, int64_t n, float shift) { return exp_shift_sum_f32(x, n, shift); }
double exp_shift_sum(double* x, int64_t n, double shift) {
  double s = 0.0;
  for (int64_t j = 0; j < n; ++j) s += (x[j] = std::exp(x[j] - shift));
  return s;
}
float exp_of(float x) { return fast_exp(x); }
double exp_of(double x) { return std::exp(x); }
void softmax_grad_row(float* dp, const float* p, int64_t n, float d) { softmax_grad_row_f32(dp, p, n, d); }
void softmax_grad_row(double* dp, const double* p, int64_t n, double d) {
  for (int64_t j = 0; j < n; ++j) dp[j] = p[j] * (dp[j] - d);
}

int64_t tiles(int64_t n, int64_t tile) { return (n + tile - 1) / tile; }

// One batch's operands, row-major.
template <typename T>
struct Slice {
  const T *q, *k, *v;
};

template <typename T>
void forward_tile(const reference::AttentionDims& d, Slice<T> s, int64_t i0, int64_t rows, T* out, T* lse, T scale,
                  std::vector<T>& scores, std::vector<T>& max, std::vector<T>& sum) {
  const int64_t ck = d.key_channels, cv = d.value_channels;
  std::fill(out, out + rows * cv, T(0));
  std::fill(max.begin(), max.begin() + rows, -std::numeric_limits<T>::infinity());
  std::fill(sum.begin(), sum.begin() + rows, T(0));
  for (int64_t j0 = 0; j0 < d.keys; j0 += kKeyTile) {
    int64_t cols = std::min(kKeyTile, d.keys - j0);
    // S = scale · Q_tile K_tileᵀ
    openblas::gemm<T>(rows, cols, ck, scale, s.q + i0 * ck, ck, 1, s.k + j0 * ck, 1, ck, T(0), scores.data(), cols, 1);
    for (int64_t r = 0; r < rows; ++r) {
      T* row = scores.data() + r * cols;
      T m = std::max(max[r], row_max(row, cols));
      T correction = exp_of(max[r] - m);  // 0 on the first tile (max = −inf)
      sum[r] = sum[r] * correction + exp_shift_sum(row, cols, m);
      if (correction != T(1))
        for (T* o = out + r * cv; o < out + (r + 1) * cv; ++o) *o *= correction;
      max[r] = m;
    }
    // O_tile += P V_tile
    openblas::gemm<T>(rows, cv, cols, T(1), scores.data(), cols, 1, s.v + j0 * cv, cv, 1, T(1), out, cv, 1);
  }
  for (int64_t r = 0; r < rows; ++r) {
    T inv = T(1) / sum[r];
    for (T* o = out + r * cv; o < out + (r + 1) * cv; ++o) *o *= inv;
    lse[r] = max[r] + std::log(sum[r]);
  }
}

// One key tile's dK and dV (written whole) and its dQ contributions (added into grad_q_partial).
template <typename T>
void backward_key_tile(const reference::AttentionDims& d, Slice<T> s, const T* grad_out, const T* lse, const T* delta,
                       int64_t j0, int64_t cols, T* grad_k, T* grad_v, T* grad_q_partial, T scale,
                       std::vector<T>& probs, std::vector<T>& dprobs) {
  const int64_t ck = d.key_channels, cv = d.value_channels;
  std::fill(grad_k, grad_k + cols * ck, T(0));
  std::fill(grad_v, grad_v + cols * cv, T(0));
  for (int64_t i0 = 0; i0 < d.queries; i0 += kQueryTile) {
    int64_t rows = std::min(kQueryTile, d.queries - i0);
    const T* q_tile = s.q + i0 * ck;
    const T* go_tile = grad_out + i0 * cv;
    // P = exp(scale · Q Kᵀ − lse)
    openblas::gemm<T>(rows, cols, ck, scale, q_tile, ck, 1, s.k + j0 * ck, 1, ck, T(0), probs.data(), cols, 1);
    for (int64_t r = 0; r < rows; ++r) exp_shift_sum(probs.data() + r * cols, cols, lse[i0 + r]);
    // dV += Pᵀ dO
    openblas::gemm<T>(cols, cv, rows, T(1), probs.data(), 1, cols, go_tile, cv, 1, T(1), grad_v, cv, 1);
    // dP = dO Vᵀ, then dS = P ∘ (dP − D)
    openblas::gemm<T>(rows, cols, cv, T(1), go_tile, cv, 1, s.v + j0 * cv, 1, cv, T(0), dprobs.data(), cols, 1);
    for (int64_t r = 0; r < rows; ++r)
      softmax_grad_row(dprobs.data() + r * cols, probs.data() + r * cols, cols, delta[i0 + r]);
    // dK += scale · dSᵀ Q, dQ += scale · dS K
    openblas::gemm<T>(cols, ck, rows, scale, dprobs.data(), 1, cols, q_tile, ck, 1, T(1), grad_k, ck, 1);
    openblas::gemm<T>(rows, ck, cols, scale, dprobs.data(), cols, 1, s.k + j0 * ck, ck, 1, T(1),
                      grad_q_partial + i0 * ck, ck, 1);
  }
}

}  // namespace

void OpenblasBackend::attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                                        const KernelArg& k, const KernelArg& v, double scale) {
  auto d = reference::attention_dims("openblas attention_forward", out, lse, q, k, v);
  reference::dispatch_floating(q.dtype, "attention_forward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t query_tiles = tiles(d.queries, kQueryTile), work = d.batch * query_tiles;
#pragma omp parallel
    {
      std::vector<T> scores(kQueryTile * kKeyTile), max(kQueryTile), sum(kQueryTile);
#pragma omp for schedule(dynamic)
      for (int64_t w = 0; w < work; ++w) {
        int64_t b = w / query_tiles, i0 = (w % query_tiles) * kQueryTile;
        int64_t rows = std::min(kQueryTile, d.queries - i0);
        Slice<T> s{q.ptr<T>() + b * d.queries * d.key_channels, k.ptr<T>() + b * d.keys * d.key_channels,
                   v.ptr<T>() + b * d.keys * d.value_channels};
        forward_tile<T>(d, s, i0, rows, out.ptr<T>() + (b * d.queries + i0) * d.value_channels,
                        lse.ptr<T>() + b * d.queries + i0, static_cast<T>(scale), scores, max, sum);
      }
    }
  });
}

void OpenblasBackend::attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                                         const KernelArg& grad_out, const KernelArg& q, const KernelArg& k,
                                         const KernelArg& v, const KernelArg& out, const KernelArg& lse,
                                         double scale) {
  auto d = reference::attention_backward_dims("openblas attention_backward", grad_q, grad_k, grad_v, grad_out, q, k,
                                              v, out, lse);
  reference::dispatch_floating(q.dtype, "attention_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t ck = d.key_channels, cv = d.value_channels, rows_total = d.batch * d.queries;
    // D_i = dO_i · O_i
    std::vector<T> delta(rows_total);
#pragma omp parallel for
    for (int64_t i = 0; i < rows_total; ++i) {
      const T* go = grad_out.ptr<T>() + i * cv;
      const T* o = out.ptr<T>() + i * cv;
      T acc = T(0);
      for (int64_t c = 0; c < cv; ++c) acc += go[c] * o[c];
      delta[i] = acc;
    }
    const int64_t key_tiles = tiles(d.keys, kKeyTile), work = d.batch * key_tiles;
    const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), work));
    const int64_t dq_size = rows_total * ck;
    // Thread 0 adds straight into grad_q; the others into their own buffers.
    std::vector<T> partials((threads - 1) * dq_size, T(0));
    std::fill(grad_q.ptr<T>(), grad_q.ptr<T>() + dq_size, T(0));
#pragma omp parallel num_threads(threads)
    {
      int64_t t = omp_get_thread_num();
      T* dq = t == 0 ? grad_q.ptr<T>() : partials.data() + (t - 1) * dq_size;
      std::vector<T> probs(kQueryTile * kKeyTile), dprobs(kQueryTile * kKeyTile);
#pragma omp for schedule(dynamic)
      for (int64_t w = 0; w < work; ++w) {
        int64_t b = w / key_tiles, j0 = (w % key_tiles) * kKeyTile;
        int64_t cols = std::min(kKeyTile, d.keys - j0);
        Slice<T> s{q.ptr<T>() + b * d.queries * ck, k.ptr<T>() + b * d.keys * ck, v.ptr<T>() + b * d.keys * cv};
        backward_key_tile<T>(d, s, grad_out.ptr<T>() + b * d.queries * cv, lse.ptr<T>() + b * d.queries,
                             delta.data() + b * d.queries, j0, cols, grad_k.ptr<T>() + (b * d.keys + j0) * ck,
                             grad_v.ptr<T>() + (b * d.keys + j0) * cv, dq + b * d.queries * ck,
                             static_cast<T>(scale), probs, dprobs);
      }
    }
    if (threads > 1) {
      T* dq = grad_q.ptr<T>();
#pragma omp parallel for
      for (int64_t x = 0; x < dq_size; ++x)
        for (int64_t t = 0; t + 1 < threads; ++t) dq[x] += partials[t * dq_size + x];
    }
  });
}

}  // namespace gaze
