// The CUDA backend's own kernels for the network ops cuDNN does not cover the way gaze defines
// them: pooling with gaze's flat per-plane max indices (and dilation, ceil-mode windows and
// count_include_pad), batch norm with optional affine parameters and any eps, upsampling with
// PyTorch's source-index rules, and the NLL gather. Semantics follow backends/reference/ line by
// line; backward passes scatter with atomicAdd (sm_60+ has it for double too).
#include "backends/cuda/check.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/kernels.h"

namespace gaze::cuda {
namespace {

__device__ inline int64_t volume(const int64_t (&s)[3]) { return s[0] * s[1] * s[2]; }

// (plane, od, oh, ow) of output element `i`.
__device__ inline void output_position(const Spatial3Params& s, int64_t i, int64_t& plane, int64_t (&o)[3]) {
  o[2] = i % s.out[2];
  i /= s.out[2];
  o[1] = i % s.out[1];
  i /= s.out[1];
  o[0] = i % s.out[0];
  plane = i / s.out[0];
}

template <typename T>
__device__ inline T lowest() { return -CUDART_INF_F; }
template <>
__device__ inline double lowest<double>() { return -CUDART_INF; }

// ---- max pooling --------------------------------------------------------------------------

template <typename T>
__global__ void max_pool_forward_kernel(T* out, int64_t* indices, const T* x, Spatial3Params s, PoolWindowParams w) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane, o[3];
    output_position(s, i, plane, o);
    const T* xp = x + plane * volume(s.in);
    T best = lowest<T>();
    int64_t best_index = -1;
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
      int64_t id = o[0] * w.stride[0] - w.padding[0] + kd * w.dilation[0];
      if (id < 0 || id >= s.in[0]) continue;
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
        int64_t ih = o[1] * w.stride[1] - w.padding[1] + kh * w.dilation[1];
        if (ih < 0 || ih >= s.in[1]) continue;
        for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
          int64_t iw = o[2] * w.stride[2] - w.padding[2] + kw * w.dilation[2];
          if (iw < 0 || iw >= s.in[2]) continue;
          int64_t flat = (id * s.in[1] + ih) * s.in[2] + iw;
          T v = xp[flat];
          if (best_index < 0 || v > best || d_isnan(v)) {
            best = v;
            best_index = flat;
          }
        }
      }
    }
    out[i] = best;
    indices[i] = best_index;
  }
}

template <typename T>
__global__ void max_pool_backward_kernel(T* gx, const T* go, const int64_t* indices, Spatial3Params s) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane = i / volume(s.out);
    if (indices[i] >= 0) atomicAdd(gx + plane * volume(s.in) + indices[i], go[i]);
  }
}

// ---- average pooling ------------------------------------------------------------------------

struct Window {
  int64_t start, end, padded;
};

__device__ inline Window avg_window(int64_t o, int64_t in, int64_t k, int64_t s, int64_t p) {
  int64_t start = o * s - p;
  int64_t end = min(start + k, in + p);
  int64_t padded = end - start;
  return {max(start, int64_t{0}), min(end, in), padded};
}

__device__ inline int64_t avg_windows(const Spatial3Params& s, const PoolWindowParams& w, const int64_t (&o)[3],
                                      Window (&win)[3]) {
  for (int d = 0; d < 3; ++d) win[d] = avg_window(o[d], s.in[d], w.kernel[d], w.stride[d], w.padding[d]);
  if (w.count_include_pad) return win[0].padded * win[1].padded * win[2].padded;
  return (win[0].end - win[0].start) * (win[1].end - win[1].start) * (win[2].end - win[2].start);
}

template <typename T>
__global__ void avg_pool_forward_kernel(T* out, const T* x, Spatial3Params s, PoolWindowParams w) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane, o[3];
    output_position(s, i, plane, o);
    Window win[3];
    int64_t divisor = avg_windows(s, w, o, win);
    const T* xp = x + plane * volume(s.in);
    double sum = 0.0;
    for (int64_t id = win[0].start; id < win[0].end; ++id)
      for (int64_t ih = win[1].start; ih < win[1].end; ++ih)
        for (int64_t iw = win[2].start; iw < win[2].end; ++iw) sum += static_cast<double>(xp[(id * s.in[1] + ih) * s.in[2] + iw]);
    out[i] = static_cast<T>(divisor > 0 ? sum / static_cast<double>(divisor) : 0.0);
  }
}

template <typename T>
__global__ void avg_pool_backward_kernel(T* gx, const T* go, Spatial3Params s, PoolWindowParams w) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane, o[3];
    output_position(s, i, plane, o);
    Window win[3];
    int64_t divisor = avg_windows(s, w, o, win);
    if (divisor == 0) continue;
    T share = static_cast<T>(static_cast<double>(go[i]) / static_cast<double>(divisor));
    T* gp = gx + plane * volume(s.in);
    for (int64_t id = win[0].start; id < win[0].end; ++id)
      for (int64_t ih = win[1].start; ih < win[1].end; ++ih)
        for (int64_t iw = win[2].start; iw < win[2].end; ++iw) atomicAdd(gp + (id * s.in[1] + ih) * s.in[2] + iw, share);
  }
}

// ---- adaptive average pooling: PyTorch's windows ---------------------------------------------

__device__ inline void adaptive_windows(const Spatial3Params& s, const int64_t (&o)[3], int64_t (&lo)[3], int64_t (&hi)[3]) {
  for (int d = 0; d < 3; ++d) {
    lo[d] = (o[d] * s.in[d]) / s.out[d];
    hi[d] = ((o[d] + 1) * s.in[d] + s.out[d] - 1) / s.out[d];
  }
}

template <typename T>
__global__ void adaptive_avg_pool_forward_kernel(T* out, const T* x, Spatial3Params s) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane, o[3], lo[3], hi[3];
    output_position(s, i, plane, o);
    adaptive_windows(s, o, lo, hi);
    const T* xp = x + plane * volume(s.in);
    double sum = 0.0;
    for (int64_t id = lo[0]; id < hi[0]; ++id)
      for (int64_t ih = lo[1]; ih < hi[1]; ++ih)
        for (int64_t iw = lo[2]; iw < hi[2]; ++iw) sum += static_cast<double>(xp[(id * s.in[1] + ih) * s.in[2] + iw]);
    int64_t count = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    out[i] = static_cast<T>(sum / static_cast<double>(count));
  }
}

template <typename T>
__global__ void adaptive_avg_pool_backward_kernel(T* gx, const T* go, Spatial3Params s) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane, o[3], lo[3], hi[3];
    output_position(s, i, plane, o);
    adaptive_windows(s, o, lo, hi);
    int64_t count = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    T share = static_cast<T>(static_cast<double>(go[i]) / static_cast<double>(count));
    T* gp = gx + plane * volume(s.in);
    for (int64_t id = lo[0]; id < hi[0]; ++id)
      for (int64_t ih = lo[1]; ih < hi[1]; ++ih)
        for (int64_t iw = lo[2]; iw < hi[2]; ++iw) atomicAdd(gp + (id * s.in[1] + ih) * s.in[2] + iw, share);
  }
}

// ---- batch norm: one block per channel, statistics in double ----------------------------------

template <typename T>
__global__ void batch_norm_forward_kernel(T* out, T* save_mean, T* save_invstd, const T* x, const T* weight,
                                          const T* bias, double eps, AxisParams l) {
  int64_t c = blockIdx.x;
  int64_t count = l.outer * l.inner;
  auto at = [&](int64_t j) { return ((j / l.inner) * l.size + c) * l.inner + j % l.inner; };
  double sum = 0.0;
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) sum += static_cast<double>(x[at(j)]);
  double mean = block_sum(sum) / static_cast<double>(count);
  double sq = 0.0;
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    double d = static_cast<double>(x[at(j)]) - mean;
    sq += d * d;
  }
  double invstd = 1.0 / sqrt(block_sum(sq) / static_cast<double>(count) + eps);
  double w = weight ? static_cast<double>(weight[c]) : 1.0;
  double b = bias ? static_cast<double>(bias[c]) : 0.0;
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    int64_t k = at(j);
    out[k] = static_cast<T>((static_cast<double>(x[k]) - mean) * invstd * w + b);
  }
  if (threadIdx.x == 0) {
    save_mean[c] = static_cast<T>(mean);
    save_invstd[c] = static_cast<T>(invstd);
  }
}

template <typename T>
__global__ void batch_norm_backward_kernel(T* gx, T* gw, T* gb, const T* go, const T* x, const T* weight,
                                           const T* save_mean, const T* save_invstd, AxisParams l) {
  int64_t c = blockIdx.x;
  int64_t count = l.outer * l.inner;
  auto at = [&](int64_t j) { return ((j / l.inner) * l.size + c) * l.inner + j % l.inner; };
  double mean = static_cast<double>(save_mean[c]), invstd = static_cast<double>(save_invstd[c]);
  double w = weight ? static_cast<double>(weight[c]) : 1.0;
  double sum_g = 0.0, sum_g_xhat = 0.0;
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    int64_t k = at(j);
    double g = static_cast<double>(go[k]);
    sum_g += g;
    sum_g_xhat += g * (static_cast<double>(x[k]) - mean) * invstd;
  }
  sum_g = block_sum(sum_g);
  sum_g_xhat = block_sum(sum_g_xhat);
  if (threadIdx.x == 0) {
    if (gb) gb[c] = static_cast<T>(sum_g);
    if (gw) gw[c] = static_cast<T>(sum_g_xhat);
  }
  if (!gx) return;
  double n = static_cast<double>(count);
  // dx = w·invstd/M · (M·g − Σg − x̂·Σ(g·x̂))
  for (int64_t j = threadIdx.x; j < count; j += blockDim.x) {
    int64_t k = at(j);
    double xhat = (static_cast<double>(x[k]) - mean) * invstd;
    gx[k] = static_cast<T>(w * invstd / n * (n * static_cast<double>(go[k]) - sum_g - xhat * sum_g_xhat));
  }
}

// ---- upsampling: the reference's source taps ----------------------------------------------------

struct Tap {
  int64_t i0, i1;
  double lambda;
};

__device__ inline Tap source_tap(bool linear, bool align_corners, int64_t dst, int64_t in, int64_t out) {
  if (!linear) {
    int64_t src = min(static_cast<int64_t>(floor(static_cast<double>(dst) * in / out)), in - 1);
    return {src, src, 0.0};
  }
  double src;
  if (align_corners) {
    src = out > 1 ? static_cast<double>(dst) * (in - 1) / (out - 1) : 0.0;
  } else {
    src = (static_cast<double>(dst) + 0.5) * in / out - 0.5;
    if (src < 0) src = 0;
  }
  int64_t i0 = min(static_cast<int64_t>(src), in - 1);
  int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
  return {i0, i1, src - static_cast<double>(i0)};
}

// Calls fn(input_flat_in_plane, weight) for the up to 8 taps of output element `i`.
template <typename Fn>
__device__ inline void for_each_tap(bool linear, bool align_corners, const Spatial3Params& s, int64_t i, int64_t& plane,
                                    Fn&& fn) {
  int64_t o[3];
  output_position(s, i, plane, o);
  Tap t[3];
  for (int d = 0; d < 3; ++d) t[d] = source_tap(linear, align_corners, o[d], s.in[d], s.out[d]);
  for (int corner = 0; corner < 8; ++corner) {
    double weight = 1.0;
    int64_t idx[3];
    for (int d = 0; d < 3; ++d) {
      bool second = (corner >> (2 - d)) & 1;
      weight *= second ? t[d].lambda : 1.0 - t[d].lambda;
      idx[d] = second ? t[d].i1 : t[d].i0;
    }
    if (weight == 0.0) continue;
    fn((idx[0] * s.in[1] + idx[1]) * s.in[2] + idx[2], weight);
  }
}

template <typename T>
__global__ void upsample_forward_kernel(bool linear, bool align_corners, T* out, const T* x, Spatial3Params s) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane = 0;
    double acc = 0.0;
    const T* xp = nullptr;
    for_each_tap(linear, align_corners, s, i, plane, [&](int64_t flat, double w) {
      xp = x + plane * volume(s.in);
      acc += w * static_cast<double>(xp[flat]);
    });
    out[i] = static_cast<T>(acc);
  }
}

template <typename T>
__global__ void upsample_backward_kernel(bool linear, bool align_corners, T* gx, const T* go, Spatial3Params s) {
  int64_t total = s.planes * volume(s.out);
  GAZE_GRID_STRIDE(i, total) {
    int64_t plane = 0;
    double g = static_cast<double>(go[i]);
    for_each_tap(linear, align_corners, s, i, plane, [&](int64_t flat, double w) {
      atomicAdd(gx + plane * volume(s.in) + flat, static_cast<T>(w * g));
    });
  }
}

// ---- NLL --------------------------------------------------------------------------------------

template <typename T>
__global__ void nll_forward_kernel(T* loss, T* sample_weight, const T* logp, const int64_t* target, const T* weight,
                                   int64_t rows, int64_t classes, int64_t ignore_index, int64_t* bad_row) {
  GAZE_GRID_STRIDE(i, rows) {
    int64_t t = target[i];
    if (t == ignore_index) {
      loss[i] = T(0);
      sample_weight[i] = T(0);
      continue;
    }
    if (t < 0 || t >= classes) {
      atomicCAS(reinterpret_cast<unsigned long long*>(bad_row), ~0ull, static_cast<unsigned long long>(i));
      loss[i] = T(0);
      sample_weight[i] = T(0);
      continue;
    }
    T w = weight ? weight[t] : T(1);
    loss[i] = -w * logp[i * classes + t];
    sample_weight[i] = w;
  }
}

template <typename T>
__global__ void nll_backward_kernel(T* grad_logp, const T* grad_loss, const int64_t* target, const T* weight,
                                    int64_t rows, int64_t classes, int64_t ignore_index) {
  GAZE_GRID_STRIDE(i, rows) {
    int64_t t = target[i];
    if (t == ignore_index || t < 0 || t >= classes) continue;  // invalid targets were reported by the forward
    T w = weight ? weight[t] : T(1);
    grad_logp[i * classes + t] = -w * grad_loss[i];
  }
}

// ---- softmax along a contiguous last dim: one block per row ------------------------------------
// cuDNN's legacy softmax backward is ~100x slower than its forward on attention-sized rows
// (docs/backends.md), which made every attention block's backward 5x slower than its forward;
// these row kernels read each row coalesced. Arithmetic as the reference: max and sums in double.

template <typename T>
__global__ void softmax_rows_forward_kernel(T* out, const T* x, int64_t rows, int64_t size, bool log) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* xr = x + r * size;
    T* yr = out + r * size;
    double m = -CUDART_INF;
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x) m = fmax(m, static_cast<double>(xr[j]));
    m = block_max(m);
    double s = 0.0;
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x) s += d_exp(static_cast<double>(xr[j]) - m);
    s = block_sum(s);
    double log_s = ::log(s);
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x) {
      double shifted = static_cast<double>(xr[j]) - m;
      yr[j] = static_cast<T>(log ? shifted - log_s : d_exp(shifted) / s);
    }
  }
}

template <typename T>
__global__ void softmax_rows_backward_kernel(T* gx, const T* gy, const T* y, int64_t rows, int64_t size, bool log) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* gr = gy + r * size;
    const T* yr = y + r * size;
    T* xr = gx + r * size;
    double dot = 0.0;  // softmax: sum g*y; log-softmax: sum g
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x)
      dot += static_cast<double>(gr[j]) * (log ? 1.0 : static_cast<double>(yr[j]));
    dot = block_sum(dot);
    for (int64_t j = threadIdx.x; j < size; j += blockDim.x) {
      double g = static_cast<double>(gr[j]), yv = static_cast<double>(yr[j]);
      xr[j] = static_cast<T>(log ? g - d_exp(yv) * dot : yv * (g - dot));
    }
  }
}

// Threads per row: a multiple of 32 (block_sum needs whole warps), no more than the row needs.
inline unsigned row_threads(int64_t size) {
  int64_t t = (size + 31) / 32 * 32;
  return static_cast<unsigned>(t < 32 ? 32 : (t > kThreads ? kThreads : t));
}

inline unsigned row_blocks(int64_t rows) { return static_cast<unsigned>(rows > 65536 ? 65536 : rows); }

// Calls fn(T{}) for f32 or f64.
template <typename Fn>
void dispatch_floating(DType dtype, Fn&& fn) {
  if (dtype == DType::f64) fn(double{});
  else fn(float{});
}

}  // namespace

void launch_max_pool_forward(DType dtype, void* out, int64_t* indices, const void* x, const Spatial3Params& s,
                             const PoolWindowParams& w, cudaStream_t stream) {
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    max_pool_forward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(out), indices, static_cast<const T*>(x), s, w);
  });
  GAZE_CUDA_CHECK_LAUNCH("max_pool_forward_kernel");
}

void launch_max_pool_backward(DType dtype, void* grad_x, const void* grad_out, const int64_t* indices,
                              const Spatial3Params& s, cudaStream_t stream) {
  size_t element = dtype == DType::f64 ? 8 : 4;
  GAZE_CUDA_CHECK(cudaMemsetAsync(grad_x, 0, s.planes * s.in[0] * s.in[1] * s.in[2] * element, stream));
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    max_pool_backward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(grad_x), static_cast<const T*>(grad_out), indices, s);
  });
  GAZE_CUDA_CHECK_LAUNCH("max_pool_backward_kernel");
}

void launch_avg_pool_forward(DType dtype, void* out, const void* x, const Spatial3Params& s, const PoolWindowParams& w,
                             cudaStream_t stream) {
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    avg_pool_forward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(x), s, w);
  });
  GAZE_CUDA_CHECK_LAUNCH("avg_pool_forward_kernel");
}

void launch_avg_pool_backward(DType dtype, void* grad_x, const void* grad_out, const Spatial3Params& s,
                              const PoolWindowParams& w, cudaStream_t stream) {
  size_t element = dtype == DType::f64 ? 8 : 4;
  GAZE_CUDA_CHECK(cudaMemsetAsync(grad_x, 0, s.planes * s.in[0] * s.in[1] * s.in[2] * element, stream));
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    avg_pool_backward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(grad_x), static_cast<const T*>(grad_out), s, w);
  });
  GAZE_CUDA_CHECK_LAUNCH("avg_pool_backward_kernel");
}

void launch_adaptive_avg_pool_forward(DType dtype, void* out, const void* x, const Spatial3Params& s,
                                      cudaStream_t stream) {
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    adaptive_avg_pool_forward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(out), static_cast<const T*>(x), s);
  });
  GAZE_CUDA_CHECK_LAUNCH("adaptive_avg_pool_forward_kernel");
}

void launch_adaptive_avg_pool_backward(DType dtype, void* grad_x, const void* grad_out, const Spatial3Params& s,
                                       cudaStream_t stream) {
  size_t element = dtype == DType::f64 ? 8 : 4;
  GAZE_CUDA_CHECK(cudaMemsetAsync(grad_x, 0, s.planes * s.in[0] * s.in[1] * s.in[2] * element, stream));
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    adaptive_avg_pool_backward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(static_cast<T*>(grad_x), static_cast<const T*>(grad_out), s);
  });
  GAZE_CUDA_CHECK_LAUNCH("adaptive_avg_pool_backward_kernel");
}

void launch_batch_norm_forward(DType dtype, void* out, void* save_mean, void* save_invstd, const void* x,
                               const void* weight, const void* bias, double eps, const AxisParams& l,
                               cudaStream_t stream) {
  if (l.size == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    batch_norm_forward_kernel<T><<<static_cast<unsigned>(l.size), kThreads, 0, stream>>>(
        static_cast<T*>(out), static_cast<T*>(save_mean), static_cast<T*>(save_invstd), static_cast<const T*>(x),
        static_cast<const T*>(weight), static_cast<const T*>(bias), eps, l);
  });
  GAZE_CUDA_CHECK_LAUNCH("batch_norm_forward_kernel");
}

void launch_batch_norm_backward(DType dtype, void* grad_x, void* grad_weight, void* grad_bias, const void* grad_out,
                                const void* x, const void* weight, const void* save_mean, const void* save_invstd,
                                const AxisParams& l, cudaStream_t stream) {
  if (l.size == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    batch_norm_backward_kernel<T><<<static_cast<unsigned>(l.size), kThreads, 0, stream>>>(
        static_cast<T*>(grad_x), static_cast<T*>(grad_weight), static_cast<T*>(grad_bias),
        static_cast<const T*>(grad_out), static_cast<const T*>(x), static_cast<const T*>(weight),
        static_cast<const T*>(save_mean), static_cast<const T*>(save_invstd), l);
  });
  GAZE_CUDA_CHECK_LAUNCH("batch_norm_backward_kernel");
}

void launch_upsample_forward(DType dtype, bool linear, bool align_corners, void* out, const void* x,
                             const Spatial3Params& s, cudaStream_t stream) {
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    upsample_forward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(linear, align_corners, static_cast<T*>(out),
                                                                         static_cast<const T*>(x), s);
  });
  GAZE_CUDA_CHECK_LAUNCH("upsample_forward_kernel");
}

void launch_upsample_backward(DType dtype, bool linear, bool align_corners, void* grad_x, const void* grad_out,
                              const Spatial3Params& s, cudaStream_t stream) {
  size_t element = dtype == DType::f64 ? 8 : 4;
  GAZE_CUDA_CHECK(cudaMemsetAsync(grad_x, 0, s.planes * s.in[0] * s.in[1] * s.in[2] * element, stream));
  int64_t total = s.planes * s.out[0] * s.out[1] * s.out[2];
  if (total == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    upsample_backward_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(linear, align_corners, static_cast<T*>(grad_x),
                                                                          static_cast<const T*>(grad_out), s);
  });
  GAZE_CUDA_CHECK_LAUNCH("upsample_backward_kernel");
}

void launch_nll_loss_forward(DType dtype, void* loss, void* sample_weight, const void* logp, const int64_t* target,
                             const void* weight, int64_t rows, int64_t classes, int64_t ignore_index,
                             int64_t* bad_row, cudaStream_t stream) {
  GAZE_CUDA_CHECK(cudaMemsetAsync(bad_row, 0xff, sizeof(int64_t), stream));  // -1: no bad target
  if (rows == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    nll_forward_kernel<T><<<grid_for(rows), kThreads, 0, stream>>>(
        static_cast<T*>(loss), static_cast<T*>(sample_weight), static_cast<const T*>(logp), target,
        static_cast<const T*>(weight), rows, classes, ignore_index, bad_row);
  });
  GAZE_CUDA_CHECK_LAUNCH("nll_forward_kernel");
}

void launch_nll_loss_backward(DType dtype, void* grad_logp, const void* grad_loss, const int64_t* target,
                              const void* weight, int64_t rows, int64_t classes, int64_t ignore_index,
                              cudaStream_t stream) {
  size_t element = dtype == DType::f64 ? 8 : 4;
  GAZE_CUDA_CHECK(cudaMemsetAsync(grad_logp, 0, rows * classes * element, stream));
  if (rows == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    nll_backward_kernel<T><<<grid_for(rows), kThreads, 0, stream>>>(static_cast<T*>(grad_logp), static_cast<const T*>(grad_loss),
                                                                   target, static_cast<const T*>(weight), rows, classes, ignore_index);
  });
  GAZE_CUDA_CHECK_LAUNCH("nll_backward_kernel");
}

void launch_softmax_rows_forward(DType dtype, void* out, const void* x, int64_t rows, int64_t size, bool log,
                                 cudaStream_t stream) {
  if (rows == 0 || size == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    softmax_rows_forward_kernel<T><<<row_blocks(rows), row_threads(size), 0, stream>>>(
        static_cast<T*>(out), static_cast<const T*>(x), rows, size, log);
  });
  GAZE_CUDA_CHECK_LAUNCH("softmax_rows_forward_kernel");
}

void launch_softmax_rows_backward(DType dtype, void* grad_x, const void* grad_y, const void* y, int64_t rows, int64_t size,
                                  bool log, cudaStream_t stream) {
  if (rows == 0 || size == 0) return;
  dispatch_floating(dtype, [&](auto zero) {
    using T = decltype(zero);
    softmax_rows_backward_kernel<T><<<row_blocks(rows), row_threads(size), 0, stream>>>(
        static_cast<T*>(grad_x), static_cast<const T*>(grad_y), static_cast<const T*>(y), rows, size, log);
  });
  GAZE_CUDA_CHECK_LAUNCH("softmax_rows_backward_kernel");
}

}  // namespace gaze::cuda
