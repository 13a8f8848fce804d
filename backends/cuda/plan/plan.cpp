#include "backends/cuda/plan/plan.h"

#include <algorithm>
#include <climits>

#include "backends/reference/loops.h"
#include "framework/error.h"

namespace gaze::cuda {
namespace {

int to_int(int64_t v, const char* op, const char* what) {
  if (v < 0 || v > INT_MAX) fail("cuda {}: {} = {} is outside the 32-bit range cuDNN and cuBLAS take", op, what, v);
  return static_cast<int>(v);
}

// How cuBLAS can read a rows × cols matrix with strides (sr, sc): row-major-like (unit column
// stride) or column-major-like (unit row stride), with its leading dimension. A size-1 dim may
// have any stride, so it never decides.
struct MatrixLayout {
  bool ok = false, row_major = false;
  int64_t ld = 0;
};

MatrixLayout matrix_layout(int64_t rows, int64_t cols, int64_t sr, int64_t sc) {
  if (sc == 1 || cols == 1) {
    int64_t ld = rows == 1 ? std::max<int64_t>(cols, 1) : sr;
    if (ld >= std::max<int64_t>(cols, 1)) return {true, true, ld};
  }
  if (sr == 1 || rows == 1) {
    int64_t ld = cols == 1 ? std::max<int64_t>(rows, 1) : sc;
    if (ld >= std::max<int64_t>(rows, 1)) return {true, false, ld};
  }
  return {};
}

}  // namespace

ElementwiseParams elementwise_params(const Shape& shape, const std::vector<const Shape*>& strides, const char* op) {
  if (strides.size() > static_cast<size_t>(kMaxOperands)) fail("cuda {}: more than {} operands", op, kMaxOperands);
  ElementwiseParams p;
  p.numel = numel(shape);
  // Walk from the innermost dim, dropping size-1 dims and merging a dim into the one inside it
  // when every operand steps over it exactly as if the two were one dim.
  std::vector<int64_t> sizes;
  std::vector<std::vector<int64_t>> merged(strides.size());
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 1) continue;
    bool merge = !sizes.empty();
    for (size_t k = 0; merge && k < strides.size(); ++k)
      merge = (*strides[k])[d] == merged[k].back() * sizes.back();
    if (merge) {
      sizes.back() *= shape[d];
      continue;
    }
    sizes.push_back(shape[d]);
    for (size_t k = 0; k < strides.size(); ++k) merged[k].push_back((*strides[k])[d]);
  }
  if (sizes.size() > static_cast<size_t>(kMaxDims))
    fail("cuda {}: {} dims remain after merging (shape {}); at most {} are supported", op, sizes.size(), shape_str(shape),
         kMaxDims);
  p.rank = static_cast<int>(sizes.size());
  for (int i = 0; i < p.rank; ++i) {  // back to outermost-first order
    p.size[i] = sizes[p.rank - 1 - i];
    for (size_t k = 0; k < strides.size(); ++k) p.stride[k][i] = merged[k][p.rank - 1 - i];
  }
  return p;
}

int64_t reduce_chunk_count(int64_t outputs, int64_t count) {
  constexpr int64_t kMinRange = 4096, kTargetBlocks = 1024, kFewOutputs = 256;
  if (outputs <= 0 || outputs >= kFewOutputs || count < 2 * kMinRange) return 1;
  int64_t by_size = count / kMinRange;
  int64_t by_blocks = kTargetBlocks / outputs;
  int64_t chunks = by_size < by_blocks ? by_size : by_blocks;
  return chunks > 1 ? chunks : 1;
}

AttentionLaunch attention_launch(int64_t batch, int64_t rows, int64_t streamed_channels, int64_t element_bytes,
                                 const char* kernel) {
  constexpr int64_t kRowsPerBlock = 64, kMaxPassRows = 64, kSharedBudget = 40 * 1024, kMaxBlocks = INT_MAX;
  AttentionLaunch launch;
  launch.threads = static_cast<int>(kRowsPerBlock);
  const int64_t tiles = (rows + kRowsPerBlock - 1) / kRowsPerBlock;
  if (batch > 0 && tiles > kMaxBlocks / batch)
    fail("cuda {}: batch {} × {} rows needs {} × {} blocks of {} threads, above CUDA's limit of 2^31 − 1 blocks; "
         "split the batch into smaller ones",
         kernel, batch, rows, batch, tiles, kRowsPerBlock);
  launch.blocks = static_cast<unsigned>(batch * tiles);
  const int64_t row_bytes = streamed_channels * element_bytes;
  launch.pass_rows = kMaxPassRows;
  if (row_bytes > 0 && row_bytes <= kSharedBudget) {
    launch.pass_rows = std::min(kMaxPassRows, kSharedBudget / row_bytes);
    launch.staged = true;
    launch.shared_bytes = launch.pass_rows * row_bytes;
  }
  return launch;
}

ReduceParams reduce_params(const KernelArg& out, const KernelArg& in) {
  if (out.dim() != in.dim())
    fail("cuda reduce: output rank {} differs from input rank {}", out.dim(), in.dim());
  ReduceParams p;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (out.shape[d] == in.shape[d]) {
      if (in.shape[d] == 1) continue;
      if (p.kept_rank == kMaxDims) fail("cuda reduce: more than {} kept dims (shape {})", kMaxDims, shape_str(in.shape));
      p.kept_size[p.kept_rank] = in.shape[d];
      p.kept_in_stride[p.kept_rank] = in.strides[d];
      p.kept_out_stride[p.kept_rank] = out.strides[d];
      ++p.kept_rank;
    } else if (out.shape[d] == 1) {
      if (p.reduced_rank == kMaxDims) fail("cuda reduce: more than {} reduced dims (shape {})", kMaxDims, shape_str(in.shape));
      p.reduced_size[p.reduced_rank] = in.shape[d];
      p.reduced_stride[p.reduced_rank] = in.strides[d];
      ++p.reduced_rank;
    } else {
      fail("cuda reduce: output shape {} does not fit input shape {}", shape_str(out.shape), shape_str(in.shape));
    }
  }
  p.outputs = out.numel();
  p.count = p.outputs == 0 ? 0 : in.numel() / p.outputs;
  return p;
}

Spatial3Params spatial3_params(const KernelArg& in, const KernelArg& out, const char* op) {
  for (const KernelArg* a : {&in, &out}) {
    if (a->dim() < 3 || a->dim() > 5)
      fail("cuda {}: expected a [N,C,*] array with 1 to 3 spatial dims, got shape {}", op, shape_str(a->shape));
    if (!a->is_contiguous()) fail("cuda {}: the array must be contiguous (shape {})", op, shape_str(a->shape));
  }
  if (in.dim() != out.dim() || in.shape[0] != out.shape[0] || in.shape[1] != out.shape[1])
    fail("cuda {}: input {} and output {} differ in rank, batch or channels", op, shape_str(in.shape), shape_str(out.shape));
  Spatial3Params p;
  p.planes = in.shape[0] * in.shape[1];
  int64_t spatial = in.dim() - 2;
  for (int64_t d = 0; d < spatial; ++d) {
    p.in[3 - spatial + d] = in.shape[2 + d];
    p.out[3 - spatial + d] = out.shape[2 + d];
  }
  return p;
}

PoolWindowParams pool_window_params(const PoolParams& p) {
  PoolWindowParams w;
  auto k = reference::pad3(p.kernel, 1), s = reference::pad3(p.stride, 1), pad = reference::pad3(p.padding, 0),
       dil = reference::pad3(p.dilation, 1);
  for (int d = 0; d < 3; ++d) {
    w.kernel[d] = k[d];
    w.stride[d] = s[d];
    w.padding[d] = pad[d];
    w.dilation[d] = dil[d];
  }
  w.count_include_pad = p.count_include_pad;
  return w;
}

GemmPlan gemm_plan(const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  if (out.dim() != 3 || a.dim() != 3 || b.dim() != 3 || a.shape[0] != out.shape[0] || b.shape[0] != out.shape[0] ||
      a.shape[1] != out.shape[1] || b.shape[2] != out.shape[2] || a.shape[2] != b.shape[1])
    fail("cuda matmul: expected out [B,M,N], a [B,M,K], b [B,K,N]; got {}, {}, {}", shape_str(out.shape),
         shape_str(a.shape), shape_str(b.shape));
  GemmPlan plan;
  int64_t batch = out.shape[0], rows = out.shape[1], cols = out.shape[2], inner = a.shape[2];
  plan.batch = batch;
  plan.m = cols;
  plan.n = rows;
  plan.k = inner;
  MatrixLayout o = matrix_layout(rows, cols, out.strides[1], out.strides[2]);
  plan.ok = o.ok && o.row_major && (batch == 1 || out.strides[0] != 0);
  plan.ld_out = o.ld;
  plan.stride_out = batch == 1 ? 0 : out.strides[0];
  // First cuBLAS operand: bᵀ (N×K column-major) read from b [K,N].
  MatrixLayout lb = matrix_layout(inner, cols, b.strides[1], b.strides[2]);
  plan.b_needs_copy = !lb.ok;
  plan.trans_first = lb.ok && !lb.row_major;
  plan.ld_first = lb.ok ? lb.ld : cols;  // after packing: row-major, ld = N
  plan.stride_first = batch == 1 ? 0 : b.strides[0];
  // Second: aᵀ (K×M column-major) read from a [M,K].
  MatrixLayout la = matrix_layout(rows, inner, a.strides[1], a.strides[2]);
  plan.a_needs_copy = !la.ok;
  plan.trans_second = la.ok && !la.row_major;
  plan.ld_second = la.ok ? la.ld : inner;
  plan.stride_second = batch == 1 ? 0 : a.strides[0];
  return plan;
}

ConvPlan conv_plan(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p, const char* op) {
  for (const KernelArg* t : {&x, &weight, &out})
    if (!t->is_contiguous()) fail("cuda {}: arrays must be contiguous (shape {})", op, shape_str(t->shape));
  reference::conv_geometry(x, weight, out, p, "cuda", op);  // the shape checks every backend makes
  ConvPlan plan;
  int64_t spatial = x.dim() - 2;
  bool promote = spatial == 1;
  plan.spatial = promote ? 2 : static_cast<int>(spatial);
  auto dims = [&](const KernelArg& t, const char* what) {
    std::vector<int> d{to_int(t.shape[0], op, what), to_int(t.shape[1], op, what)};
    if (promote) d.push_back(1);
    for (int64_t i = 2; i < t.dim(); ++i) d.push_back(to_int(t.shape[i], op, what));
    return d;
  };
  auto packed = [&](const std::vector<int>& d) {
    std::vector<int> s(d.size());
    int64_t acc = 1;
    for (size_t i = d.size(); i-- > 0;) {
      s[i] = to_int(acc, op, "stride");
      acc *= d[i];
    }
    return s;
  };
  plan.x_dims = dims(x, "input size");
  plan.w_dims = dims(weight, "weight size");
  plan.y_dims = dims(out, "output size");
  plan.x_strides = packed(plan.x_dims);
  plan.y_strides = packed(plan.y_dims);
  if (promote) {
    plan.padding.push_back(0);
    plan.stride.push_back(1);
    plan.dilation.push_back(1);
  }
  for (int64_t d = 0; d < spatial; ++d) {
    plan.padding.push_back(to_int(p.padding[d], op, "padding"));
    plan.stride.push_back(to_int(p.stride[d], op, "stride"));
    plan.dilation.push_back(to_int(p.dilation[d], op, "dilation"));
  }
  plan.groups = to_int(p.groups, op, "groups");
  plan.key = fmt::format("{} x{} w{} y{} pad{} str{} dil{} g{}", dtype_name(x.dtype), fmt::join(plan.x_dims, ","),
                         fmt::join(plan.w_dims, ","), fmt::join(plan.y_dims, ","), fmt::join(plan.padding, ","),
                         fmt::join(plan.stride, ","), fmt::join(plan.dilation, ","), plan.groups);
  return plan;
}

Conv3Params conv3_params(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p, const char* op) {
  reference::ConvGeometry g = reference::conv_geometry(x, weight, out, p, "cuda", op);
  Conv3Params c;
  c.batch = g.in.n;
  c.in_channels = g.in.c;
  c.out_channels = g.out.c;
  c.groups = g.groups;
  for (int d = 0; d < 3; ++d) {
    c.in[d] = g.in.size[d];
    c.out[d] = g.out.size[d];
    c.kernel[d] = g.k[d];
    c.stride[d] = g.stride[d];
    c.padding[d] = g.pad[d];
    c.dilation[d] = g.dil[d];
  }
  return c;
}

std::vector<int> softmax_dims(const KernelArg& x, int64_t dim) {
  if (!x.is_contiguous()) fail("cuda softmax: the array must be contiguous (shape {})", shape_str(x.shape));
  reference::AxisLayout l = reference::axis_layout(x, dim);
  return {to_int(l.outer, "softmax", "outer size"), to_int(l.size, "softmax", "softmax dim size"),
          to_int(l.inner, "softmax", "inner size"), 1};
}

}  // namespace gaze::cuda
