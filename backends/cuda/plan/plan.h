// Pure functions that turn KernelArg shapes and strides into what the CUDA backend hands to its
// kernels, to cuBLAS and to cuDNN. No CUDA here: built in every build and tested without a GPU
// (tests/backends/cuda_plan_test.cpp), so the GPU code that consumes them is thin.
#pragma once
#include <string>
#include <vector>

#include "framework/backend.h"
#include "backends/cuda/plan/kernel_params.h"

namespace gaze::cuda {

// Elementwise loop over `shape` with one stride vector per operand (all of `shape`'s rank).
// `op` names the kernel in the error when more than kMaxDims dims remain after merging.
ElementwiseParams elementwise_params(const Shape& shape, const std::vector<const Shape*>& strides, const char* op);

// out has in's rank; dims where out has size 1 and in does not are reduced.
ReduceParams reduce_params(const KernelArg& out, const KernelArg& in);

// Into how many ranges to split each output's elements (1: one block per output is enough). A
// reduction with fewer outputs than a GPU has multiprocessors and many elements each is split so
// that about 1024 blocks share the work, each range at least 4096 elements.
int64_t reduce_chunk_count(int64_t outputs, int64_t count);

Spatial3Params spatial3_params(const KernelArg& in, const KernelArg& out, const char* op);
PoolWindowParams pool_window_params(const PoolParams& p);

// One strided-batched GEMM in cuBLAS's column-major terms for out[B,M,N] = a[B,M,K] · b[B,K,N]
// with row-major KernelArgs. Row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ, so cuBLAS's first
// operand is b and its second is a. A matrix whose inner dims both have stride != 1 cannot be
// described (`a_needs_copy` / `b_needs_copy`: the caller packs it contiguous first); `out`
// must have a unit stride in its last dim.
struct GemmPlan {
  bool ok = false;                 // false: out cannot be written by cuBLAS directly
  bool a_needs_copy = false, b_needs_copy = false;
  bool trans_first = false, trans_second = false;  // cuBLAS op on its first (b) and second (a)
  int64_t m = 0, n = 0, k = 0;     // cuBLAS's m, n, k (= N, M, K of the row-major problem)
  int64_t ld_first = 0, ld_second = 0, ld_out = 0;
  int64_t stride_first = 0, stride_second = 0, stride_out = 0;  // batch strides (0: broadcast)
  int64_t batch = 0;
};
GemmPlan gemm_plan(const KernelArg& out, const KernelArg& a, const KernelArg& b);

// A convolution in cuDNN's Nd descriptor terms. cuDNN needs at least 2 spatial dims, so a 1D
// convolution becomes 2D with a leading unit spatial dim (kernel 1, stride 1, no padding).
struct ConvPlan {
  int spatial = 0;                             // after promotion: 2 or 3
  std::vector<int> x_dims, x_strides;          // [N, C, *]
  std::vector<int> w_dims;                     // [O, C/groups, *k]
  std::vector<int> y_dims, y_strides;          // [N, O, *]
  std::vector<int> padding, stride, dilation;  // per spatial dim
  int groups = 1;
  std::string key;  // identifies the problem (shapes, params, dtype) for the algorithm cache
};
// Checks the geometry (as the reference does) and converts; sizes above INT_MAX are an error.
ConvPlan conv_plan(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p, const char* op);

// The same problem for the direct kernels (nn.cu), which take any size.
Conv3Params conv3_params(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p, const char* op);

// The fused attention kernels (attention.cu): one thread per row of `rows` (queries, or keys for
// dK/dV) in blocks of 64, batch-major on grid.x; the other side's rows, `streamed_channels` values
// each (its key plus value channels), pass through at most 40 KiB of shared memory (under the
// 48 KiB a block gets without opting in) up to 64 rows at a time. A row wider than that budget is
// read from global memory instead, so any channel count runs. A grid above CUDA's 2^31 − 1 blocks
// is an error naming `kernel`.
AttentionLaunch attention_launch(int64_t batch, int64_t rows, int64_t streamed_channels, int64_t element_bytes,
                                 const char* kernel);

// softmax along `dim` of a contiguous array, as cuDNN's [N, C, H, W] = [outer, size, inner, 1]
// with CUDNN_SOFTMAX_MODE_CHANNEL.
std::vector<int> softmax_dims(const KernelArg& x, int64_t dim);

}  // namespace gaze::cuda
