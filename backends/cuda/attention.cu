// Fused attention on the GPU (FlashAttention-2's tiling, kept simple): a block of threads owns a
// tile of rows (one row per thread), and the rows it reads from the other side (keys for the
// forward and dQ, queries for dK/dV) stream through shared memory one tile at a time. The
// forward keeps an online softmax per query row; the backward recomputes each probability from
// the saved log-sum-exp. dK/dV and dQ are separate kernels so each thread writes only its own row
// (no atomics). Accumulators live in the output rows themselves, so any channel count works; a
// streamed row too wide for the shared-memory budget is read from global memory instead
// (attention_launch in plan/plan.h sizes the grid, the passes and the shared memory).
#include "backends/cuda/check.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/kernels.h"
#include "backends/cuda/plan/plan.h"

namespace gaze::cuda {
namespace {

template <typename T>
__device__ inline T minus_infinity() { return -CUDART_INF_F; }
template <>
__device__ inline double minus_infinity<double>() { return -CUDART_INF; }

template <typename T>
__device__ inline T dot(const T* a, const T* b, int64_t n) {
  T s = T(0);
  for (int64_t c = 0; c < n; ++c) s += a[c] * b[c];
  return s;
}

// Loads rows [r0, r0 + rows) of a [*, channels] array into `dst` cooperatively.
template <typename T>
__device__ inline void load_rows(T* dst, const T* src, int64_t r0, int64_t rows, int64_t channels) {
  for (int64_t x = threadIdx.x; x < rows * channels; x += blockDim.x) dst[x] = src[r0 * channels + x];
}

// Rows [first, first + count) of two [*, channels] arrays (keys and values, or queries and output
// gradients), for the tile loop to read: staged in shared memory when `staged`, which is the same
// for every thread of the block so that every thread reaches the barriers; else where they are in
// global memory (rows too wide for the shared-memory budget).
template <typename T>
__device__ inline void stage_rows(bool staged, int64_t first, int64_t count, T* a_tile, const T* a, int64_t a_channels,
                                  const T*& a_rows, T* b_tile, const T* b, int64_t b_channels, const T*& b_rows) {
  a_rows = a + first * a_channels;
  b_rows = b + first * b_channels;
  if (!staged) return;
  __syncthreads();
  load_rows(a_tile, a, first, count, a_channels);
  load_rows(b_tile, b, first, count, b_channels);
  __syncthreads();
  a_rows = a_tile;
  b_rows = b_tile;
}

template <typename T>
__global__ void attention_forward_kernel(T* out, T* lse, const T* q, const T* k, const T* v, AttentionParams p,
                                         int64_t tile, bool staged) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];  // aligned for double
  T* k_tile = reinterpret_cast<T*>(shared_bytes);
  T* v_tile = k_tile + tile * p.key_channels;
  const int64_t tiles = (p.queries + blockDim.x - 1) / blockDim.x, b = blockIdx.x / tiles;
  const int64_t i = (blockIdx.x % tiles) * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const bool active = i < p.queries;
  const T* qb = q + (b * p.queries + (active ? i : 0)) * p.key_channels;
  T* ob = out + (b * p.queries + (active ? i : 0)) * p.value_channels;
  const T* kb = k + b * p.keys * p.key_channels;
  const T* vb = v + b * p.keys * p.value_channels;
  T max = minus_infinity<T>(), sum = T(0);
  if (active)
    for (int64_t c = 0; c < p.value_channels; ++c) ob[c] = T(0);
  for (int64_t j0 = 0; j0 < p.keys; j0 += tile) {
    int64_t cols = p.keys - j0 < tile ? p.keys - j0 : tile;
    const T *k_rows, *v_rows;
    stage_rows(staged, j0, cols, k_tile, kb, p.key_channels, k_rows, v_tile, vb, p.value_channels, v_rows);
    if (!active) continue;
    for (int64_t j = 0; j < cols; ++j) {
      T s = static_cast<T>(p.scale) * dot(qb, k_rows + j * p.key_channels, p.key_channels);
      T m = d_max(max, s);
      T correction = d_exp(max - m), e = d_exp(s - m);
      sum = sum * correction + e;
      const T* vj = v_rows + j * p.value_channels;
      for (int64_t c = 0; c < p.value_channels; ++c) ob[c] = ob[c] * correction + e * vj[c];
      max = m;
    }
  }
  if (!active) return;
  for (int64_t c = 0; c < p.value_channels; ++c) ob[c] /= sum;
  lse[b * p.queries + i] = max + d_log(sum);
}

// delta_i = dO_i · O_i
template <typename T>
__global__ void attention_delta_kernel(T* delta, const T* grad_out, const T* out, int64_t rows, int64_t channels) {
  GAZE_GRID_STRIDE(i, rows) { delta[i] = dot(grad_out + i * channels, out + i * channels, channels); }
}

// One key row per thread: dV_j = Σ_i P_ij dO_i, dK_j = scale Σ_i dS_ij Q_i; queries streamed.
template <typename T>
__global__ void attention_grad_kv_kernel(T* grad_k, T* grad_v, const T* grad_out, const T* q, const T* k,
                                         const T* v, const T* lse, const T* delta, AttentionParams p, int64_t tile,
                                         bool staged) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];  // aligned for double
  T* q_tile = reinterpret_cast<T*>(shared_bytes);
  T* go_tile = q_tile + tile * p.key_channels;
  const int64_t tiles = (p.keys + blockDim.x - 1) / blockDim.x, b = blockIdx.x / tiles;
  const int64_t j = (blockIdx.x % tiles) * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const bool active = j < p.keys;
  const T* kj = k + (b * p.keys + (active ? j : 0)) * p.key_channels;
  const T* vj = v + (b * p.keys + (active ? j : 0)) * p.value_channels;
  T* gk = grad_k + (b * p.keys + (active ? j : 0)) * p.key_channels;
  T* gv = grad_v + (b * p.keys + (active ? j : 0)) * p.value_channels;
  const T* qb = q + b * p.queries * p.key_channels;
  const T* gob = grad_out + b * p.queries * p.value_channels;
  if (active) {
    for (int64_t c = 0; c < p.key_channels; ++c) gk[c] = T(0);
    for (int64_t c = 0; c < p.value_channels; ++c) gv[c] = T(0);
  }
  for (int64_t i0 = 0; i0 < p.queries; i0 += tile) {
    int64_t rows = p.queries - i0 < tile ? p.queries - i0 : tile;
    const T *q_rows, *go_rows;
    stage_rows(staged, i0, rows, q_tile, qb, p.key_channels, q_rows, go_tile, gob, p.value_channels, go_rows);
    if (!active) continue;
    for (int64_t r = 0; r < rows; ++r) {
      const T* qi = q_rows + r * p.key_channels;
      const T* goi = go_rows + r * p.value_channels;
      T prob = d_exp(static_cast<T>(p.scale) * dot(qi, kj, p.key_channels) - lse[b * p.queries + i0 + r]);
      T dprob = dot(goi, vj, p.value_channels);
      T ds = static_cast<T>(p.scale) * prob * (dprob - delta[b * p.queries + i0 + r]);
      for (int64_t c = 0; c < p.value_channels; ++c) gv[c] += prob * goi[c];
      for (int64_t c = 0; c < p.key_channels; ++c) gk[c] += ds * qi[c];
    }
  }
}

// One query row per thread: dQ_i = scale Σ_j dS_ij K_j; keys and values streamed.
template <typename T>
__global__ void attention_grad_q_kernel(T* grad_q, const T* grad_out, const T* q, const T* k, const T* v,
                                        const T* lse, const T* delta, AttentionParams p, int64_t tile, bool staged) {
  extern __shared__ __align__(16) unsigned char shared_bytes[];  // aligned for double
  T* k_tile = reinterpret_cast<T*>(shared_bytes);
  T* v_tile = k_tile + tile * p.key_channels;
  const int64_t tiles = (p.queries + blockDim.x - 1) / blockDim.x, b = blockIdx.x / tiles;
  const int64_t i = (blockIdx.x % tiles) * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const bool active = i < p.queries;
  const int64_t row = b * p.queries + (active ? i : 0);
  const T* qi = q + row * p.key_channels;
  const T* goi = grad_out + row * p.value_channels;
  T* gq = grad_q + row * p.key_channels;
  const T row_lse = lse[row], row_delta = delta[row];
  const T* kb = k + b * p.keys * p.key_channels;
  const T* vb = v + b * p.keys * p.value_channels;
  if (active)
    for (int64_t c = 0; c < p.key_channels; ++c) gq[c] = T(0);
  for (int64_t j0 = 0; j0 < p.keys; j0 += tile) {
    int64_t cols = p.keys - j0 < tile ? p.keys - j0 : tile;
    const T *k_rows, *v_rows;
    stage_rows(staged, j0, cols, k_tile, kb, p.key_channels, k_rows, v_tile, vb, p.value_channels, v_rows);
    if (!active) continue;
    for (int64_t j = 0; j < cols; ++j) {
      const T* kj = k_rows + j * p.key_channels;
      T prob = d_exp(static_cast<T>(p.scale) * dot(qi, kj, p.key_channels) - row_lse);
      T dprob = dot(goi, v_rows + j * p.value_channels, p.value_channels);
      T ds = static_cast<T>(p.scale) * prob * (dprob - row_delta);
      for (int64_t c = 0; c < p.key_channels; ++c) gq[c] += ds * kj[c];
    }
  }
}

template <typename Fn>
void dispatch_attention(DType dtype, Fn&& fn) {
  if (dtype == DType::f64) fn(double{});
  else fn(float{});
}

}  // namespace

void launch_attention_forward(DType dtype, void* out, void* lse, const void* q, const void* k, const void* v,
                              const AttentionParams& p, cudaStream_t stream) {
  if (p.batch == 0 || p.queries == 0) return;
  dispatch_attention(dtype, [&](auto zero) {
    using T = decltype(zero);
    const AttentionLaunch l = attention_launch(p.batch, p.queries, p.key_channels + p.value_channels, sizeof(T),
                                               "attention_forward_kernel");
    attention_forward_kernel<T><<<l.blocks, l.threads, static_cast<size_t>(l.shared_bytes), stream>>>(
        static_cast<T*>(out), static_cast<T*>(lse), static_cast<const T*>(q), static_cast<const T*>(k),
        static_cast<const T*>(v), p, l.pass_rows, l.staged);
  });
  GAZE_CUDA_CHECK_LAUNCH("attention_forward_kernel");
}

void launch_attention_backward(DType dtype, void* grad_q, void* grad_k, void* grad_v, void* delta,
                               const void* grad_out, const void* q, const void* k, const void* v, const void* out,
                               const void* lse, const AttentionParams& p, cudaStream_t stream) {
  if (p.batch == 0 || p.keys == 0) return;
  dispatch_attention(dtype, [&](auto zero) {
    using T = decltype(zero);
    const int64_t rows = p.batch * p.queries, streamed = p.key_channels + p.value_channels;
    if (rows > 0) {
      attention_delta_kernel<T><<<grid_for(rows), kThreads, 0, stream>>>(
          static_cast<T*>(delta), static_cast<const T*>(grad_out), static_cast<const T*>(out), rows, p.value_channels);
      GAZE_CUDA_CHECK_LAUNCH("attention_delta_kernel");
    }
    // Queries streamed past each key row (the kernel zeroes dK and dV even when there are none).
    const AttentionLaunch kv = attention_launch(p.batch, p.keys, streamed, sizeof(T), "attention_grad_kv_kernel");
    attention_grad_kv_kernel<T><<<kv.blocks, kv.threads, static_cast<size_t>(kv.shared_bytes), stream>>>(
        static_cast<T*>(grad_k), static_cast<T*>(grad_v), static_cast<const T*>(grad_out), static_cast<const T*>(q),
        static_cast<const T*>(k), static_cast<const T*>(v), static_cast<const T*>(lse), static_cast<const T*>(delta),
        p, kv.pass_rows, kv.staged);
    GAZE_CUDA_CHECK_LAUNCH("attention_grad_kv_kernel");
    if (rows > 0) {
      const AttentionLaunch qs = attention_launch(p.batch, p.queries, streamed, sizeof(T), "attention_grad_q_kernel");
      attention_grad_q_kernel<T><<<qs.blocks, qs.threads, static_cast<size_t>(qs.shared_bytes), stream>>>(
          static_cast<T*>(grad_q), static_cast<const T*>(grad_out), static_cast<const T*>(q),
          static_cast<const T*>(k), static_cast<const T*>(v), static_cast<const T*>(lse),
          static_cast<const T*>(delta), p, qs.pass_rows, qs.staged);
      GAZE_CUDA_CHECK_LAUNCH("attention_grad_q_kernel");
    }
  });
}

}  // namespace gaze::cuda
