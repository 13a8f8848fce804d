// Fused attention on the CPU (FlashAttention-2, Dao 2023): the [Nq, Nk] map is walked in tiles
// of queries × keys sized to stay in one core's L2 (attention_tiles.h); each tile's scores come
// from one GEMM on the tile and only the output and the per-row log-sum-exp reach memory. When a
// tile spans every key (N_k up to a few thousand) its softmax is exact in one go, the
// materialized path's work one tile at a time; longer key ranges keep the softmax online (a
// running max and sum per query row, the partial output rescaled when the max grows). Backward
// recomputes each tile's probabilities from the log-sum-exp.
//
// Threads: the forward shares (batch, query tile) pairs out. The backward shares (batch, key
// tile) pairs out, so each thread owns its rows of dK and dV; when a batch has one key tile its
// item owns that batch's dQ too, otherwise every thread adds its dQ contributions into a private
// [B, Nq, Ck] buffer, summed at the end (no atomics). Scratch tiles are allocated once per call
// and thread. The BLAS calls run inside the parallel region, where OpenBLAS (on OpenMP) uses
// one thread.
//
// Layouts: q, k, v, out and the gradients may each be channel-major (the transpose of a [B, C, N]
// array, as a layer's flattened feature map is). The tiles' GEMMs still run on row-major [N, C]
// operands, as fast as they are in every BLAS (a channel-major K or V, read transposed through
// a long k dimension, runs several times slower): each thread transposes the batch's
// channel-major inputs into its own row-major scratch (O(N·C) per thread) and writes its
// output and dQ back transposed, in blocks that stay in cache (dK and dV it writes in place,
// as dKᵀ = Qᵀ dS and dVᵀ = dOᵀ P), instead of the autograd op copying
// whole tensors with a strided loop before and after the kernel.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/openblas/attention_kernel.h"
#include "backends/openblas/attention_tiles.h"
#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/attention_dims.h"
#include "backends/reference/loops.h"

namespace gaze {
namespace {

// Row helpers, vectorized by the compiler (8 partial sums/maxima keep the reductions in lanes).
GAZE_VECTORIZE_WIDE float row_max_f32(const float* x, int64_t n) {
  float m[8];
  for (float& v : m) v = -std::numeric_limits<float>::infinity();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int u = 0; u < 8; ++u) m[u] = std::max(m[u], x[j + u]);
  for (; j < n; ++j) m[0] = std::max(m[0], x[j]);
  return *std::max_element(m, m + 8);
}
// exp(x) = 2^n · exp(r) with n = round(x / ln 2), r = x − n·ln 2 (in two parts for accuracy) and
// exp(r) by Cephes' degree-6 polynomial: within 2 ulp of expf, and branch-free. Below −87 it
// answers exp(−87) ≈ 1.6e−38, which changes no sum it joins. Written on 16 lanes with GCC's
// vector extensions: one AVX-512 register in the x86-64-v4 clone, where the loop vectorizer
// would stop at 256 bits, two or four narrower ones in the others; single values go through
// lane 0 (exp_of), so every exp of the kernel is the same function.
using ExpLanes = float __attribute__((vector_size(64)));
using ExpLaneBits = int32_t __attribute__((vector_size(64)));
// In place (by reference: a 64-byte vector passed by value would change the ABI between clones).
[[gnu::always_inline]] inline void fast_exp_lanes(ExpLanes& x) {
  const ExpLanes zero{}, low = zero - 87.0f, high = zero + 88.0f, shifter = zero + 12582912.0f;
  x = x > low ? x : low;
  x = x < high ? x : high;
  ExpLanes n = (x * 1.44269504088896341f + shifter) - shifter;
  ExpLanes r = x - n * 0.693359375f - n * -2.12194440e-4f;
  ExpLanes p = zero + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  ExpLanes e = p * r * r + r + 1.0f;
  ExpLaneBits bits = (__builtin_convertvector(n, ExpLaneBits) + 127) << 23;
  ExpLanes scale;
  std::memcpy(&scale, &bits, sizeof scale);
  x = e * scale;
}
// x[j] = exp(x[j] − shift); returns Σ x[j].
GAZE_VECTORIZE_WIDE float exp_shift_sum_f32(float* x, int64_t n, float shift) {
  ExpLanes lanes{};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    ExpLanes v;
    std::memcpy(&v, x + j, sizeof v);
    v -= shift;
    fast_exp_lanes(v);
    std::memcpy(x + j, &v, sizeof v);
    lanes += v;
  }
  float s = 0.0f;
  if (j < n) {  // the last n − j < 16 values, through one partly filled vector
    const auto left = static_cast<size_t>(n - j);
    ExpLanes v{};
    std::memcpy(&v, x + j, left * sizeof(float));
    v -= shift;
    fast_exp_lanes(v);
    std::memcpy(x + j, &v, left * sizeof(float));
    for (size_t u = 0; u < left; ++u) s += v[u];
  }
  for (int u = 0; u < 16; ++u) s += lanes[u];
  return s;
}
// dp[j] = p[j] · (dp[j] − d)
GAZE_VECTORIZE_WIDE void softmax_grad_row_f32(float* dp, const float* p, int64_t n, float d) {
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
float exp_of(float x) {
  ExpLanes v{};
  v[0] = x;
  fast_exp_lanes(v);
  return v[0];
}
double exp_of(double x) { return std::exp(x); }
void softmax_grad_row(float* dp, const float* p, int64_t n, float d) { softmax_grad_row_f32(dp, p, n, d); }
void softmax_grad_row(double* dp, const double* p, int64_t n, double d) {
  for (int64_t j = 0; j < n; ++j) dp[j] = p[j] * (dp[j] - d);
}

// C = alpha·op(A)·op(B) + beta·C on a tile: f32 through the backend's GEMM, f64 through BLAS.
// An empty sum (k = 0: no channels), which BLAS would refuse, leaves beta·C: beta is 0 or 1 here.
bool attention_gemm_is_trivial(int64_t m, int64_t n, int64_t k, bool beta_zero, void* c_bytes, int64_t ldc, size_t element) {
  if (m == 0 || n == 0) return true;
  if (k != 0) return false;
  if (beta_zero)
    for (int64_t i = 0; i < m; ++i) std::memset(static_cast<char*>(c_bytes) + i * ldc * element, 0, n * element);
  return true;
}
void attention_gemm(openblas::TileSgemm sgemm, bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
               const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (attention_gemm_is_trivial(m, n, k, beta == 0.0f, c, ldc, sizeof(float))) return;
  sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void attention_gemm(openblas::TileSgemm, bool ta, bool tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
               int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  if (attention_gemm_is_trivial(m, n, k, beta == 0.0, c, ldc, sizeof(double))) return;
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b,
              ldb, beta, c, ldc);
}

// One batch's operands, row-major.
template <typename T>
struct Slice {
  const T *q, *k, *v;
};

// One tile of `rows` query rows (q_tile, row-major) of one batch: out and lse for those rows.
template <typename T>
void forward_tile(openblas::TileSgemm sgemm, const reference::AttentionDims& d, Slice<T> s, const T* q_tile, int64_t rows, int64_t key_cols, T* out,
                  T* lse, T scale, T* scores, T* max, T* sum) {
  const int64_t ck = d.key_channels, cv = d.value_channels;
  for (int64_t j0 = 0; j0 < d.keys; j0 += key_cols) {
    const int64_t cols = std::min(key_cols, d.keys - j0);
    const bool first = j0 == 0;
    // S = scale · Q_tile K_tileᵀ
    attention_gemm(sgemm, false, true, rows, cols, ck, scale, q_tile, ck, s.k + j0 * ck, ck, T(0), scores, cols);
    for (int64_t r = 0; r < rows; ++r) {
      T* row = scores + r * cols;
      T tile_max = row_max(row, cols);
      if (first) {
        max[r] = tile_max;
        sum[r] = exp_shift_sum(row, cols, tile_max);
        continue;
      }
      T m = std::max(max[r], tile_max);
      T correction = exp_of(max[r] - m);
      sum[r] = sum[r] * correction + exp_shift_sum(row, cols, m);
      if (correction != T(1))
        for (T* o = out + r * cv; o < out + (r + 1) * cv; ++o) *o *= correction;
      max[r] = m;
    }
    // O_tile = P V_tile on the first key tile, += after
    attention_gemm(sgemm, false, false, rows, cv, cols, T(1), scores, cols, s.v + j0 * cv, cv, first ? T(0) : T(1), out, cv);
  }
  for (int64_t r = 0; r < rows; ++r) {
    T inv = T(1) / sum[r];
    for (T* o = out + r * cv; o < out + (r + 1) * cv; ++o) *o *= inv;
    lse[r] = max[r] + std::log(sum[r]);
  }
}

// Where a key tile's dK or dV goes: rows of a row-major [cols, C] block (ld = C), or, when
// `transposed`, columns of the channel-major [C, N_k] array (ld = N_k), written as dKᵀ = Qᵀ dS
// and dVᵀ = dOᵀ P (GEMMs that run faster than their transposes here, and need no copy back).
template <typename T>
struct KeyGrad {
  T* p;
  int64_t ld;
  bool transposed;
};

// One key tile's dK and dV (written whole) and its dQ contributions: written into grad_q when
// the tile spans every key (`owns_dq`), added into it otherwise.
template <typename T>
void backward_key_tile(openblas::TileSgemm sgemm, const reference::AttentionDims& d, Slice<T> s, const T* grad_out, const T* lse, const T* delta,
                       int64_t j0, int64_t cols, int64_t query_rows, bool owns_dq, KeyGrad<T> grad_k, KeyGrad<T> grad_v, T* grad_q,
                       T scale, T* probs, T* dprobs) {
  const int64_t ck = d.key_channels, cv = d.value_channels;
  if (d.queries == 0)  // no query tile below writes them
    for (auto [g, channels] : {std::pair{grad_k, ck}, std::pair{grad_v, cv}})
      for (int64_t r = 0; r < (g.transposed ? channels : cols); ++r)
        std::fill(g.p + r * g.ld, g.p + r * g.ld + (g.transposed ? cols : channels), T(0));
  for (int64_t i0 = 0; i0 < d.queries; i0 += query_rows) {
    const int64_t rows = std::min(query_rows, d.queries - i0);
    const T kv_beta = i0 == 0 ? T(0) : T(1), q_beta = owns_dq ? T(0) : T(1);
    const T* q_tile = s.q + i0 * ck;
    const T* go_tile = grad_out + i0 * cv;
    // P = exp(scale · Q Kᵀ − lse)
    attention_gemm(sgemm, false, true, rows, cols, ck, scale, q_tile, ck, s.k + j0 * ck, ck, T(0), probs, cols);
    for (int64_t r = 0; r < rows; ++r) exp_shift_sum(probs + r * cols, cols, lse[i0 + r]);
    // dV += Pᵀ dO
    if (grad_v.transposed)
      attention_gemm(sgemm, true, false, cv, cols, rows, T(1), go_tile, cv, probs, cols, kv_beta, grad_v.p, grad_v.ld);
    else
      attention_gemm(sgemm, true, false, cols, cv, rows, T(1), probs, cols, go_tile, cv, kv_beta, grad_v.p, grad_v.ld);
    // dP = dO Vᵀ, then dS = P ∘ (dP − D)
    attention_gemm(sgemm, false, true, rows, cols, cv, T(1), go_tile, cv, s.v + j0 * cv, cv, T(0), dprobs, cols);
    for (int64_t r = 0; r < rows; ++r) softmax_grad_row(dprobs + r * cols, probs + r * cols, cols, delta[i0 + r]);
    // dK += scale · dSᵀ Q, dQ (+)= scale · dS K
    if (grad_k.transposed)
      attention_gemm(sgemm, true, false, ck, cols, rows, scale, q_tile, ck, dprobs, cols, kv_beta, grad_k.p, grad_k.ld);
    else
      attention_gemm(sgemm, true, false, cols, ck, rows, scale, dprobs, cols, q_tile, ck, kv_beta, grad_k.p, grad_k.ld);
    attention_gemm(sgemm, false, false, rows, ck, cols, scale, dprobs, cols, s.k + j0 * ck, ck, q_beta, grad_q + i0 * ck, ck);
  }
}


constexpr int64_t kTransposeRows = 32;

// Rows [r0, r0 + rows) of one batch's [N, cols] matrix, contiguous (row-major) or channel-major
// (stored as [cols, N] with leading dimension n), into row-major dst.
template <typename T>
void gather_rows(const T* src, bool channel_major, int64_t n, int64_t r0, int64_t rows, int64_t cols, T* dst) {
  if (!channel_major) {
    std::copy(src + r0 * cols, src + (r0 + rows) * cols, dst);
    return;
  }
  // Blocks of rows, so that the rows being written stay in L1 while every column passes.
  for (int64_t rb = 0; rb < rows; rb += kTransposeRows)
    for (int64_t c = 0; c < cols; ++c) {
      const T* column = src + c * n + r0;
      for (int64_t r = rb; r < std::min(rows, rb + kTransposeRows); ++r) dst[r * cols + c] = column[r];
    }
}

// The reverse: row-major src into rows [r0, r0 + rows) of dst, stored or added.
template <typename T>
void scatter_rows(const T* src, int64_t rows, int64_t cols, T* dst, bool channel_major, int64_t n, int64_t r0, bool add) {
  for (int64_t rb = 0; rb < (channel_major ? rows : 0); rb += kTransposeRows)
    for (int64_t c = 0; c < cols; ++c) {
      T* column = dst + c * n + r0;
      const int64_t r1 = std::min(rows, rb + kTransposeRows);
      if (add)
        for (int64_t r = rb; r < r1; ++r) column[r] += src[r * cols + c];
      else
        for (int64_t r = rb; r < r1; ++r) column[r] = src[r * cols + c];
    }
  if (channel_major) return;
  T* block = dst + r0 * cols;
  if (add)
    for (int64_t x = 0; x < rows * cols; ++x) block[x] += src[x];
  else
    std::copy(src, src + rows * cols, block);
}

// Whether q and k are one array (queries and keys the same positions): one transposed copy
// then serves both.
inline bool same_attention_operand(const KernelArg& q, const KernelArg& k) {
  return q.data == k.data && q.shape == k.shape && q.strides == k.strides;
}

// One batch's [n, cols] operand as a row-major pointer: itself, or its transpose in `scratch`
// when channel-major (redone only when the batch changes: `cached` remembers it).
template <typename T>
const T* row_major_batch(const KernelArg& a, bool channel_major, int64_t b, int64_t n, int64_t cols,
                         std::vector<T>& scratch, int64_t& cached) {
  const T* base = a.ptr<const T>() + b * n * cols;
  if (!channel_major) return base;
  if (cached != b) {
    scratch.resize(n * cols);
    gather_rows(base, true, n, 0, n, cols, scratch.data());
    cached = b;
  }
  return scratch.data();
}

// Key tile j0's place in one batch's dK or dV ([keys, channels], contiguous or channel-major).
template <typename T>
KeyGrad<T> key_grad(T* batch, bool channel_major, int64_t keys, int64_t channels, int64_t j0) {
  if (channel_major) return {batch + j0, std::max<int64_t>(1, keys), true};
  return {batch + j0 * channels, std::max<int64_t>(1, channels), false};
}

// D_i = dO_i · O_i for the rows of every batch; a channel-major pair is walked channel by
// channel, so that the inner loop runs along contiguous rows.
template <typename T>
std::vector<T> attention_row_deltas(const KernelArg& grad_out, const KernelArg& out, const reference::AttentionDims& d) {
  const int64_t cv = d.value_channels, queries = d.queries;
  std::vector<T> delta(d.batch * queries, T(0));
  const bool go_cm = is_channel_major(grad_out), o_cm = is_channel_major(out);
  constexpr int64_t block = 256;
  const int64_t blocks_per_batch = openblas::attention_tile_count(queries, block);
#pragma omp parallel
  {
    std::vector<T> go_rows(block * cv), o_rows(block * cv);
#pragma omp for
    for (int64_t w = 0; w < d.batch * blocks_per_batch; ++w) {
      const int64_t b = w / blocks_per_batch, i0 = (w % blocks_per_batch) * block;
      const int64_t rows = std::min(queries - i0, block);
      gather_rows(grad_out.ptr<const T>() + b * queries * cv, go_cm, queries, i0, rows, cv, go_rows.data());
      gather_rows(out.ptr<const T>() + b * queries * cv, o_cm, queries, i0, rows, cv, o_rows.data());
      for (int64_t r = 0; r < rows; ++r) {
        T acc = T(0);
        for (int64_t c = 0; c < cv; ++c) acc += go_rows[r * cv + c] * o_rows[r * cv + c];
        delta[b * queries + i0 + r] = acc;
      }
    }
  }
  return delta;
}

}  // namespace

void openblas::fused_attention_forward(const char* who, const KernelArg& out, const KernelArg& lse,
                                       const KernelArg& q, const KernelArg& k, const KernelArg& v, double scale,
                                       TileSgemm sgemm) {
  auto d = reference::attention_dims(who, out, lse, q, k, v, true);
  reference::dispatch_floating(q.dtype, "attention_forward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t ck = d.key_channels, cv = d.value_channels;
    const openblas::AttentionTiles t = openblas::attention_forward_tiles(d.batch, d.queries, d.keys, sizeof(T),
                                                               omp_get_max_threads());
    const int64_t query_tiles = openblas::attention_tile_count(d.queries, t.query_rows);
    const int64_t work = d.batch * query_tiles;
    const bool q_cm = is_channel_major(q), k_cm = is_channel_major(k), v_cm = is_channel_major(v),
               out_cm = is_channel_major(out);
    const bool q_is_k = same_attention_operand(q, k);
#pragma omp parallel
    {
      std::vector<T> scores(t.query_rows * t.key_cols), max(t.query_rows), sum(t.query_rows);
      std::vector<T> k_rows, v_rows, q_rows(q_cm ? t.query_rows * ck : 0), out_rows(out_cm ? t.query_rows * cv : 0);
      int64_t k_batch = -1, v_batch = -1;
#pragma omp for schedule(dynamic)
      for (int64_t w = 0; w < work; ++w) {
        int64_t b = w / query_tiles, i0 = (w % query_tiles) * t.query_rows;
        int64_t rows = std::min(t.query_rows, d.queries - i0);
        const T* q_batch = q.ptr<const T>() + b * d.queries * ck;
        Slice<T> s{q_batch, row_major_batch(k, k_cm, b, d.keys, ck, k_rows, k_batch),
                   row_major_batch(v, v_cm, b, d.keys, cv, v_rows, v_batch)};
        const T* q_tile = q_batch + i0 * ck;
        if (q_is_k) {  // self-attention on one map (Non-local's Gaussian form): K's copy serves
          q_tile = s.k + i0 * ck;
        } else if (q_cm) {
          gather_rows(q_batch, true, d.queries, i0, rows, ck, q_rows.data());
          q_tile = q_rows.data();
        }
        T* out_batch = out.ptr<T>() + b * d.queries * cv;
        forward_tile<T>(sgemm, d, s, q_tile, rows, t.key_cols, out_cm ? out_rows.data() : out_batch + i0 * cv,
                        lse.ptr<T>() + b * d.queries + i0, static_cast<T>(scale), scores.data(), max.data(),
                        sum.data());
        if (out_cm) scatter_rows(out_rows.data(), rows, cv, out_batch, true, d.queries, i0, false);
      }
    }
  });
}

void openblas::fused_attention_backward(const char* who, const KernelArg& grad_q, const KernelArg& grad_k,
                                        const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& q,
                                        const KernelArg& k, const KernelArg& v, const KernelArg& out,
                                        const KernelArg& lse, double scale, TileSgemm sgemm) {
  auto d = reference::attention_backward_dims(who, grad_q, grad_k, grad_v, grad_out, q, k, v, out, lse, true);
  reference::dispatch_floating(q.dtype, "attention_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t ck = d.key_channels, cv = d.value_channels, rows_total = d.batch * d.queries;
    const std::vector<T> delta = attention_row_deltas<T>(grad_out, out, d);
    const openblas::AttentionTiles t = openblas::attention_backward_tiles(d.batch, d.queries, d.keys, sizeof(T),
                                                                omp_get_max_threads());
    const int64_t key_tiles = openblas::attention_tile_count(d.keys, t.key_cols), work = d.batch * key_tiles;
    const bool owns_dq = key_tiles == 1;
    const int64_t threads = std::max<int64_t>(1, std::min<int64_t>(omp_get_max_threads(), work));
    const int64_t dq_size = rows_total * ck;
    const bool q_cm = is_channel_major(q), k_cm = is_channel_major(k), v_cm = is_channel_major(v),
               go_cm = is_channel_major(grad_out), gq_cm = is_channel_major(grad_q), gk_cm = is_channel_major(grad_k),
               gv_cm = is_channel_major(grad_v);
    const bool q_is_k = same_attention_operand(q, k);
    // Several key tiles add into each dQ row: thread 0 straight into grad_q, the others into
    // their own buffers, laid out like grad_q. One key tile per batch writes its rows of
    // grad_q whole.
    const bool private_dq = !owns_dq && threads > 1;
    std::vector<T> partials(private_dq ? (threads - 1) * dq_size : 0, T(0));
    if (!owns_dq) std::fill(grad_q.ptr<T>(), grad_q.ptr<T>() + dq_size, T(0));
#pragma omp parallel num_threads(threads)
    {
      int64_t thread = omp_get_thread_num();
      T* dq = thread == 0 || !private_dq ? grad_q.ptr<T>() : partials.data() + (thread - 1) * dq_size;
      std::vector<T> probs(t.query_rows * t.key_cols), dprobs(t.query_rows * t.key_cols);
      // Row-major copies of this thread's batch's channel-major operands, and of its dQ before
      // it is written back transposed (channel-major dK and dV are written in place).
      std::vector<T> q_rows, k_rows, v_rows, go_rows;
      std::vector<T> dq_rows(gq_cm ? d.queries * ck : 0);
      int64_t q_batch = -1, k_batch = -1, v_batch = -1, go_batch = -1;
#pragma omp for schedule(dynamic)
      for (int64_t w = 0; w < work; ++w) {
        int64_t b = w / key_tiles, j0 = (w % key_tiles) * t.key_cols;
        int64_t cols = std::min(t.key_cols, d.keys - j0);
        const T* k_rm = row_major_batch(k, k_cm, b, d.keys, ck, k_rows, k_batch);
        Slice<T> s{q_is_k ? k_rm : row_major_batch(q, q_cm, b, d.queries, ck, q_rows, q_batch), k_rm,
                   row_major_batch(v, v_cm, b, d.keys, cv, v_rows, v_batch)};
        T* dq_batch = dq + b * d.queries * ck;
        T* dk_batch = grad_k.ptr<T>() + b * d.keys * ck;
        T* dv_batch = grad_v.ptr<T>() + b * d.keys * cv;
        // A transposed dQ is gathered whole for the item (every query tile written once), then
        // stored or added into its place.
        backward_key_tile<T>(sgemm, d, s, row_major_batch(grad_out, go_cm, b, d.queries, cv, go_rows, go_batch),
                             lse.ptr<T>() + b * d.queries, delta.data() + b * d.queries, j0, cols, t.query_rows,
                             owns_dq || gq_cm, key_grad(dk_batch, gk_cm, d.keys, ck, j0),
                             key_grad(dv_batch, gv_cm, d.keys, cv, j0), gq_cm ? dq_rows.data() : dq_batch,
                             static_cast<T>(scale), probs.data(), dprobs.data());
        if (gq_cm) scatter_rows(dq_rows.data(), d.queries, ck, dq_batch, true, d.queries, 0, !owns_dq);
      }
    }
    if (private_dq) {
      T* dq = grad_q.ptr<T>();
#pragma omp parallel for
      for (int64_t x = 0; x < dq_size; ++x)
        for (int64_t p = 0; p + 1 < threads; ++p) dq[x] += partials[p * dq_size + x];
    }
  });
}

void openblas::openblas_tile_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
                                   const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
                                   int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, alpha,
              a, lda, b, ldb, beta, c, ldc);
}

void OpenblasBackend::attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                                        const KernelArg& k, const KernelArg& v, double scale) {
  openblas::fused_attention_forward("openblas attention_forward", out, lse, q, k, v, scale,
                                    openblas::openblas_tile_sgemm);
}

void OpenblasBackend::attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                                         const KernelArg& grad_out, const KernelArg& q, const KernelArg& k,
                                         const KernelArg& v, const KernelArg& out, const KernelArg& lse,
                                         double scale) {
  openblas::fused_attention_backward("openblas attention_backward", grad_q, grad_k, grad_v, grad_out, q, k, v, out,
                                     lse, scale, openblas::openblas_tile_sgemm);
}

}  // namespace gaze
