// Plain structs handed by value to the CUDA kernels (backends/cuda/*.cu): no pointers into host
// memory, no std types, so a kernel reads them from its parameter space. Built by the pure
// functions of plan.h, which run and are tested on every machine.
#pragma once
#include <cstdint>

namespace gaze::cuda {

constexpr int kMaxDims = 8;
constexpr int kMaxOperands = 4;

// An elementwise loop over `size` (row-major), one set of strides (in elements) per operand.
// Dims that are size 1 are dropped and dims that are contiguous in every operand are merged,
// so most loops have rank 1 or 2 however many dims the tensors have.
struct ElementwiseParams {
  int rank = 0;
  int64_t numel = 0;
  int64_t size[kMaxDims] = {};
  int64_t stride[kMaxOperands][kMaxDims] = {};
};

// A reduction: `outputs` output elements, each over `count` input elements. An output's
// position splits over kept dims (kept_size) into input and output offsets; the reduced dims
// (reduced_size) step only the input.
struct ReduceParams {
  int64_t outputs = 0, count = 0;
  int kept_rank = 0, reduced_rank = 0;
  int64_t kept_size[kMaxDims] = {};
  int64_t kept_in_stride[kMaxDims] = {};
  int64_t kept_out_stride[kMaxDims] = {};
  int64_t reduced_size[kMaxDims] = {};
  int64_t reduced_stride[kMaxDims] = {};
};

// Pooling and upsampling geometry: `planes` = N·C contiguous planes, spatial dims padded in
// front to 3 (1D and 2D run as 3D with unit leading dims, as in the reference).
struct Spatial3Params {
  int64_t planes = 0;
  int64_t in[3] = {1, 1, 1};
  int64_t out[3] = {1, 1, 1};
};

struct PoolWindowParams {
  int64_t kernel[3] = {1, 1, 1}, stride[3] = {1, 1, 1}, padding[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
  bool count_include_pad = true;
};

// Batch norm / softmax layout of a contiguous array: [outer, size, inner] around one dim.
struct AxisParams {
  int64_t outer = 1, size = 1, inner = 1;
};

// A convolution in the 3D form (1D and 2D with unit leading spatial dims): the direct kernels'
// geometry, used where cuDNN has no algorithm for a case.
struct Conv3Params {
  int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, padding[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
};

}  // namespace gaze::cuda

namespace gaze::cuda {

// Fused attention: q [batch, queries, key_channels], k [batch, keys, key_channels],
// v [batch, keys, value_channels], all contiguous.
struct AttentionParams {
  int64_t batch = 0, queries = 0, keys = 0, key_channels = 0, value_channels = 0;
  double scale = 1.0;
};

// How one fused attention kernel is launched (attention_launch in plan.h). A block of
// `threads` threads owns that many rows of its side (one row each); the other side's rows are
// read in passes of `pass_rows`: staged through `shared_bytes` of shared memory when `staged`,
// else straight from global memory (a row too wide for the shared-memory budget).
struct AttentionLaunch {
  unsigned blocks = 0;  // grid.x: batch × row tiles
  int threads = 0;
  int64_t pass_rows = 0;
  bool staged = false;
  int64_t shared_bytes = 0;
};

}  // namespace gaze::cuda
