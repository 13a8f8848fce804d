// The CUDA backend's elementwise kernels and reductions: any strides (broadcasting arrives as
// stride 0), f32, f64 and i64 where the op takes it. One grid-stride kernel per op family,
// templated over the element type; the op itself is a switch on a launch parameter, which costs
// little next to memory traffic and keeps the number of instantiations (and compile time) small.
#include "backends/cuda/check.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/kernels.h"

namespace gaze::cuda {
namespace {

// ---- scalar math: as backends/reference/elementwise_math.h -----------------------------------

template <typename T>
__device__ inline T apply_unary(UnaryOp op, T x, UnaryParams p) {
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return d_exp(x);
    case UnaryOp::log: return d_log(x);
    case UnaryOp::sqrt: return d_sqrt(x);
    case UnaryOp::abs: return d_abs(x);
    case UnaryOp::relu: return x > T(0) ? x : T(0);
    case UnaryOp::leaky_relu: return x > T(0) ? x : static_cast<T>(p.alpha) * x;
    case UnaryOp::sigmoid: return T(1) / (T(1) + d_exp(-x));
    case UnaryOp::tanh: return d_tanh(x);
    case UnaryOp::clamp: return d_min(d_max(x, static_cast<T>(p.alpha)), static_cast<T>(p.beta));
    case UnaryOp::pow: return d_pow(x, static_cast<T>(p.alpha));
  }
  return x;
}

template <typename T>
__device__ inline T unary_derivative(UnaryOp op, T x, T y, UnaryParams p) {
  switch (op) {
    case UnaryOp::neg: return T(-1);
    case UnaryOp::exp: return y;
    case UnaryOp::log: return T(1) / x;
    case UnaryOp::sqrt: return T(0.5) / y;
    case UnaryOp::abs: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case UnaryOp::relu: return x > T(0) ? T(1) : T(0);
    case UnaryOp::leaky_relu: return x > T(0) ? T(1) : static_cast<T>(p.alpha);
    case UnaryOp::sigmoid: return y * (T(1) - y);
    case UnaryOp::tanh: return T(1) - y * y;
    case UnaryOp::clamp: return (x >= static_cast<T>(p.alpha) && x <= static_cast<T>(p.beta)) ? T(1) : T(0);
    case UnaryOp::pow: {
      T e = static_cast<T>(p.alpha);
      return e == T(0) ? T(0) : e * d_pow(x, e - T(1));
    }
  }
  return T(0);
}

template <typename T>
__device__ inline T apply_binary(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return d_pow(a, b);
    case BinaryOp::maximum: return d_max(a, b);
    case BinaryOp::minimum: return d_min(a, b);
    case BinaryOp::eq: return a == b ? T(1) : T(0);
    case BinaryOp::gt: return a > b ? T(1) : T(0);
    case BinaryOp::lt: return a < b ? T(1) : T(0);
    case BinaryOp::ge: return a >= b ? T(1) : T(0);
    case BinaryOp::le: return a <= b ? T(1) : T(0);
  }
  return a;
}

// ---- kernels -----------------------------------------------------------------------------

template <typename T>
__global__ void fill_kernel(T* out, ElementwiseParams p, T value) {
  GAZE_GRID_STRIDE(i, p.numel) {
    int64_t off[1];
    strided_offsets<1>(p, i, off);
    out[off[0]] = value;
  }
}

template <typename O, typename I>
__global__ void copy_kernel(O* out, const I* in, ElementwiseParams p) {
  GAZE_GRID_STRIDE(i, p.numel) {
    int64_t off[2];
    strided_offsets<2>(p, i, off);
    out[off[0]] = static_cast<O>(in[off[1]]);
  }
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, T* out, const T* x, ElementwiseParams p, UnaryParams params) {
  GAZE_GRID_STRIDE(i, p.numel) {
    int64_t off[2];
    strided_offsets<2>(p, i, off);
    out[off[0]] = apply_unary(op, x[off[1]], params);
  }
}

template <typename T>
__global__ void unary_backward_kernel(UnaryOp op, T* gx, const T* gy, const T* x, const T* y, ElementwiseParams p,
                                      UnaryParams params) {
  GAZE_GRID_STRIDE(i, p.numel) {
    int64_t off[4];
    strided_offsets<4>(p, i, off);
    gx[off[0]] = gy[off[1]] * unary_derivative(op, x[off[2]], y[off[3]], params);
  }
}

template <typename T>
__global__ void binary_kernel(BinaryOp op, T* out, const T* a, const T* b, ElementwiseParams p) {
  GAZE_GRID_STRIDE(i, p.numel) {
    int64_t off[3];
    strided_offsets<3>(p, i, off);
    out[off[0]] = apply_binary(op, a[off[1]], b[off[2]]);
  }
}

// ---- reductions: accumulate in double, as the reference ----------------------------------

__device__ inline double reduce_init(ReduceOp op) {
  if (op == ReduceOp::max) return -CUDART_INF;
  if (op == ReduceOp::min) return CUDART_INF;
  return 0.0;
}

__device__ inline double reduce_step(ReduceOp op, double acc, double v) {
  if (op == ReduceOp::max) return (v > acc || d_isnan(v)) ? v : acc;
  if (op == ReduceOp::min) return (v < acc || d_isnan(v)) ? v : acc;
  return acc + v;
}

__device__ inline void kept_offsets(const ReduceParams& p, int64_t o, int64_t& in_off, int64_t& out_off) {
  in_off = 0;
  out_off = 0;
  for (int d = p.kept_rank - 1; d >= 0; --d) {
    int64_t i = o % p.kept_size[d];
    o /= p.kept_size[d];
    in_off += i * p.kept_in_stride[d];
    out_off += i * p.kept_out_stride[d];
  }
}

__device__ inline int64_t reduced_offset(const ReduceParams& p, int64_t r) {
  int64_t off = 0;
  for (int d = p.reduced_rank - 1; d >= 0; --d) {
    off += (r % p.reduced_size[d]) * p.reduced_stride[d];
    r /= p.reduced_size[d];
  }
  return off;
}

template <typename T>
__device__ inline void reduce_store(ReduceOp op, T* out, int64_t out_off, double acc, int64_t count) {
  if (op == ReduceOp::mean) acc /= static_cast<double>(count);
  out[out_off] = static_cast<T>(acc);
}

// Few elements per output: one thread per output.
template <typename T>
__global__ void reduce_thread_kernel(ReduceOp op, T* out, const T* in, ReduceParams p) {
  GAZE_GRID_STRIDE(o, p.outputs) {
    int64_t in_off, out_off;
    kept_offsets(p, o, in_off, out_off);
    double acc = reduce_init(op);
    for (int64_t r = 0; r < p.count; ++r) acc = reduce_step(op, acc, static_cast<double>(in[in_off + reduced_offset(p, r)]));
    reduce_store(op, out, out_off, acc, p.count);
  }
}

// Combines the block's `partial` values into partial[0] (a tree; sum and mean add, max and min
// keep reduce_step's NaN rule).
__device__ inline double block_combine(ReduceOp op, double* partial) {
  __syncthreads();
  for (int width = blockDim.x / 2; width > 0; width /= 2) {
    if (threadIdx.x < width) {
      double other = partial[threadIdx.x + width];
      partial[threadIdx.x] = op == ReduceOp::sum || op == ReduceOp::mean ? partial[threadIdx.x] + other
                                                                         : reduce_step(op, partial[threadIdx.x], other);
    }
    __syncthreads();
  }
  double result = partial[0];
  __syncthreads();  // partial may be rewritten by the caller's next iteration
  return result;
}

// Reduced elements [begin, end) of output `o`, accumulated by the whole block.
template <typename T>
__device__ inline double block_reduce_range(ReduceOp op, const T* in, const ReduceParams& p, int64_t in_off,
                                            int64_t begin, int64_t end, double* partial) {
  double acc = reduce_init(op);
  for (int64_t r = begin + threadIdx.x; r < end; r += blockDim.x)
    acc = reduce_step(op, acc, static_cast<double>(in[in_off + reduced_offset(p, r)]));
  partial[threadIdx.x] = acc;
  return block_combine(op, partial);
}

// Many elements per output: one block per output.
template <typename T>
__global__ void reduce_block_kernel(ReduceOp op, T* out, const T* in, ReduceParams p) {
  __shared__ double partial[kThreads];
  for (int64_t o = blockIdx.x; o < p.outputs; o += gridDim.x) {
    int64_t in_off, out_off;
    kept_offsets(p, o, in_off, out_off);
    double acc = block_reduce_range(op, in, p, in_off, 0, p.count, partial);
    if (threadIdx.x == 0) reduce_store(op, out, out_off, acc, p.count);
  }
}

// Few outputs over very many elements (a loss, a bias gradient): one block per output leaves most
// of the GPU idle (docs/backends.md), so the first pass splits each
// output's elements into `chunks` ranges, one block each, and the second combines the partials.
template <typename T>
__global__ void reduce_chunks_kernel(ReduceOp op, double* partials, const T* in, ReduceParams p, int64_t chunks) {
  __shared__ double partial[kThreads];
  int64_t length = (p.count + chunks - 1) / chunks;
  for (int64_t b = blockIdx.x; b < p.outputs * chunks; b += gridDim.x) {
    int64_t o = b / chunks, c = b % chunks, in_off, out_off;
    kept_offsets(p, o, in_off, out_off);
    int64_t begin = c * length, end = begin + length < p.count ? begin + length : p.count;
    double acc = block_reduce_range(op, in, p, in_off, begin, end, partial);
    if (threadIdx.x == 0) partials[b] = acc;
  }
}

template <typename T>
__global__ void reduce_partials_kernel(ReduceOp op, T* out, const double* partials, ReduceParams p, int64_t chunks) {
  __shared__ double partial[kThreads];
  for (int64_t o = blockIdx.x; o < p.outputs; o += gridDim.x) {
    int64_t in_off, out_off;
    kept_offsets(p, o, in_off, out_off);
    double acc = reduce_init(op);
    for (int64_t c = threadIdx.x; c < chunks; c += blockDim.x) {
      double v = partials[o * chunks + c];
      acc = op == ReduceOp::sum || op == ReduceOp::mean ? acc + v : reduce_step(op, acc, v);
    }
    partial[threadIdx.x] = acc;
    acc = block_combine(op, partial);
    if (threadIdx.x == 0) reduce_store(op, out, out_off, acc, p.count);
  }
}

// Calls fn(T{}) with the element type of `dtype`.
template <typename Fn>
void dispatch_all(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::f32: fn(float{}); return;
    case DType::f64: fn(double{}); return;
    case DType::i64: fn(int64_t{}); return;
  }
}

}  // namespace

void launch_fill(DType dtype, void* out, const ElementwiseParams& p, double value, cudaStream_t stream) {
  if (p.numel == 0) return;
  dispatch_all(dtype, [&](auto zero) {
    using T = decltype(zero);
    fill_kernel<T><<<grid_for(p.numel), kThreads, 0, stream>>>(static_cast<T*>(out), p, static_cast<T>(value));
  });
  GAZE_CUDA_CHECK_LAUNCH("fill_kernel");
}

void launch_copy(DType out_dtype, DType in_dtype, void* out, const void* in, const ElementwiseParams& p,
                 cudaStream_t stream) {
  if (p.numel == 0) return;
  dispatch_all(out_dtype, [&](auto out_zero) {
    using O = decltype(out_zero);
    dispatch_all(in_dtype, [&](auto in_zero) {
      using I = decltype(in_zero);
      copy_kernel<O, I><<<grid_for(p.numel), kThreads, 0, stream>>>(static_cast<O*>(out), static_cast<const I*>(in), p);
    });
  });
  GAZE_CUDA_CHECK_LAUNCH("copy_kernel");
}

void launch_unary(UnaryOp op, DType dtype, void* out, const void* x, const ElementwiseParams& p, UnaryParams params,
                  cudaStream_t stream) {
  if (p.numel == 0) return;
  if (dtype == DType::f32)
    unary_kernel<float><<<grid_for(p.numel), kThreads, 0, stream>>>(op, static_cast<float*>(out), static_cast<const float*>(x), p, params);
  else
    unary_kernel<double><<<grid_for(p.numel), kThreads, 0, stream>>>(op, static_cast<double*>(out), static_cast<const double*>(x), p, params);
  GAZE_CUDA_CHECK_LAUNCH("unary_kernel");
}

void launch_unary_backward(UnaryOp op, DType dtype, void* grad_x, const void* grad_y, const void* x, const void* y,
                           const ElementwiseParams& p, UnaryParams params, cudaStream_t stream) {
  if (p.numel == 0) return;
  if (dtype == DType::f32)
    unary_backward_kernel<float><<<grid_for(p.numel), kThreads, 0, stream>>>(
        op, static_cast<float*>(grad_x), static_cast<const float*>(grad_y), static_cast<const float*>(x),
        static_cast<const float*>(y), p, params);
  else
    unary_backward_kernel<double><<<grid_for(p.numel), kThreads, 0, stream>>>(
        op, static_cast<double*>(grad_x), static_cast<const double*>(grad_y), static_cast<const double*>(x),
        static_cast<const double*>(y), p, params);
  GAZE_CUDA_CHECK_LAUNCH("unary_backward_kernel");
}

void launch_binary(BinaryOp op, DType dtype, void* out, const void* a, const void* b, const ElementwiseParams& p,
                   cudaStream_t stream) {
  if (p.numel == 0) return;
  dispatch_all(dtype, [&](auto zero) {
    using T = decltype(zero);
    binary_kernel<T><<<grid_for(p.numel), kThreads, 0, stream>>>(op, static_cast<T*>(out), static_cast<const T*>(a),
                                                                 static_cast<const T*>(b), p);
  });
  GAZE_CUDA_CHECK_LAUNCH("binary_kernel");
}

void launch_reduce(ReduceOp op, DType dtype, void* out, const void* in, const ReduceParams& p, cudaStream_t stream) {
  if (p.outputs == 0) return;
  dispatch_all(dtype, [&](auto zero) {
    using T = decltype(zero);
    if (p.count >= 64) {
      unsigned blocks = static_cast<unsigned>(p.outputs < 65536 ? p.outputs : 65536);
      reduce_block_kernel<T><<<blocks, kThreads, 0, stream>>>(op, static_cast<T*>(out), static_cast<const T*>(in), p);
    } else {
      reduce_thread_kernel<T><<<grid_for(p.outputs), kThreads, 0, stream>>>(op, static_cast<T*>(out),
                                                                            static_cast<const T*>(in), p);
    }
  });
  GAZE_CUDA_CHECK_LAUNCH("reduce_kernel");
}

void launch_reduce_chunked(ReduceOp op, DType dtype, void* out, const void* in, const ReduceParams& p, int64_t chunks,
                           double* partials, cudaStream_t stream) {
  if (p.outputs == 0) return;
  dispatch_all(dtype, [&](auto zero) {
    using T = decltype(zero);
    reduce_chunks_kernel<T><<<grid_for(p.outputs * chunks * kThreads), kThreads, 0, stream>>>(op, partials, static_cast<const T*>(in), p, chunks);
    reduce_partials_kernel<T><<<grid_for(p.outputs * kThreads), kThreads, 0, stream>>>(op, static_cast<T*>(out), partials, p, chunks);
  });
  GAZE_CUDA_CHECK_LAUNCH("reduce_chunks_kernel");
}

}  // namespace gaze::cuda
