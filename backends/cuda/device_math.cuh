// Device-side helpers shared by the .cu files: launch sizes, strided offsets, float/double math
// overloads, and a block-wide sum. The scalar definitions mirror backends/reference/
// elementwise_math.h line by line, so every backend means the same thing by each op.
#pragma once
#include <cuda_runtime.h>
#include <math_constants.h>

#include <cstdint>

#include "framework/backend.h"
#include "backends/cuda/plan/kernel_params.h"

namespace gaze::cuda {

constexpr int kThreads = 256;

// Grid-stride loops cover any n; the grid stays within a few waves of the largest GPUs.
inline unsigned grid_for(int64_t n) {
  int64_t blocks = (n + kThreads - 1) / kThreads;
  if (blocks < 1) blocks = 1;
  if (blocks > 65536) blocks = 65536;
  return static_cast<unsigned>(blocks);
}

#define GAZE_GRID_STRIDE(i, n) \
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < (n); i += static_cast<int64_t>(blockDim.x) * gridDim.x)

// Element offsets of the row-major position `linear` in each of N operands.
template <int N>
__device__ inline void strided_offsets(const ElementwiseParams& p, int64_t linear, int64_t (&off)[N]) {
  for (int k = 0; k < N; ++k) off[k] = 0;
  for (int d = p.rank - 1; d >= 0; --d) {
    int64_t size = p.size[d];
    int64_t i = linear % size;
    linear /= size;
    for (int k = 0; k < N; ++k) off[k] += i * p.stride[k][d];
  }
}

__device__ inline float d_exp(float x) { return ::expf(x); }
__device__ inline double d_exp(double x) { return ::exp(x); }
__device__ inline float d_log(float x) { return ::logf(x); }
__device__ inline double d_log(double x) { return ::log(x); }
__device__ inline float d_sqrt(float x) { return ::sqrtf(x); }
__device__ inline double d_sqrt(double x) { return ::sqrt(x); }
__device__ inline float d_abs(float x) { return ::fabsf(x); }
__device__ inline double d_abs(double x) { return ::fabs(x); }
__device__ inline float d_tanh(float x) { return ::tanhf(x); }
__device__ inline double d_tanh(double x) { return ::tanh(x); }
__device__ inline float d_pow(float a, float b) { return ::powf(a, b); }
__device__ inline double d_pow(double a, double b) { return ::pow(a, b); }
__device__ inline int64_t d_pow(int64_t a, int64_t b) {
  return static_cast<int64_t>(::pow(static_cast<double>(a), static_cast<double>(b)));
}
template <typename T> __device__ inline T d_max(T a, T b) { return (a < b) ? b : a; }  // std::max
template <typename T> __device__ inline T d_min(T a, T b) { return (b < a) ? b : a; }  // std::min
template <typename T> __device__ inline bool d_isnan(T v) { return v != v; }

// Sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the total.
__device__ inline double block_sum(double v) {
  __shared__ double partial[32];
  __shared__ double total;
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_down_sync(0xffffffffu, v, offset);
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    int warps = blockDim.x / 32;
    double w = lane < warps ? partial[lane] : 0.0;
    for (int offset = 16; offset > 0; offset /= 2) w += __shfl_down_sync(0xffffffffu, w, offset);
    if (lane == 0) total = w;
  }
  __syncthreads();
  double result = total;
  __syncthreads();  // `total` and `partial` may be reused by the caller's next block_sum
  return result;
}

// Maximum over the block (as block_sum); NaN is skipped like std::max(acc, NaN) skips it.
__device__ inline double block_max(double v) {
  __shared__ double partial[32];
  __shared__ double total;
  for (int offset = 16; offset > 0; offset /= 2) v = fmax(v, __shfl_down_sync(0xffffffffu, v, offset));
  int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  if (warp == 0) {
    int warps = blockDim.x / 32;
    double w = lane < warps ? partial[lane] : -CUDART_INF;
    for (int offset = 16; offset > 0; offset /= 2) w = fmax(w, __shfl_down_sync(0xffffffffu, w, offset));
    if (lane == 0) total = w;
  }
  __syncthreads();
  double result = total;
  __syncthreads();
  return result;
}

}  // namespace gaze::cuda
