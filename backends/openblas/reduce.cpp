// Reductions, parallel over output elements: each thread walks the reduced dims of its outputs
// (adjacent reduced dims merged, the last one as a tight loop), accumulating in double.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/loops.h"

namespace gaze {
using namespace reference;

namespace {

// in viewed as [outer, reduced, inner] (contiguous), out as [outer, inner]: each reduced row
// is folded into the output row with a loop over `inner` that vectorizes. This is the layout of
// a reduction over channels (CBAM's spatial gate, the gradient of a [N, 1, H, W] gate), where
// walking each output's reduced elements one by one would stride through memory.
template <typename T>
[[gnu::always_inline]] inline void reduce_middle(ReduceOp op, const T* in, T* out, int64_t outer, int64_t reduced, int64_t inner) {
  bool big = outer * reduced * inner >= 32768;
#pragma omp parallel for schedule(static) if (big)
  for (int64_t a = 0; a < outer; ++a) {
    T* o = out + a * inner;
    const T* base = in + a * reduced * inner;
    for (int64_t i = 0; i < inner; ++i) o[i] = base[i];
    for (int64_t r = 1; r < reduced; ++r) {
      const T* row = base + r * inner;
      if (op == ReduceOp::max) {
        for (int64_t i = 0; i < inner; ++i) o[i] = (row[i] > o[i] || row[i] != row[i]) ? row[i] : o[i];
      } else if (op == ReduceOp::min) {
        for (int64_t i = 0; i < inner; ++i) o[i] = (row[i] < o[i] || row[i] != row[i]) ? row[i] : o[i];
      } else {
        for (int64_t i = 0; i < inner; ++i) o[i] += row[i];
      }
    }
    if (op == ReduceOp::mean)
      for (int64_t i = 0; i < inner; ++i) o[i] /= static_cast<T>(reduced);
  }
}
GAZE_VECTORIZE void reduce_middle_f32(ReduceOp op, const float* in, float* out, int64_t a, int64_t r, int64_t i) { reduce_middle(op, in, out, a, r, i); }
GAZE_VECTORIZE void reduce_middle_f64(ReduceOp op, const double* in, double* out, int64_t a, int64_t r, int64_t i) { reduce_middle(op, in, out, a, r, i); }

// [outer, reduced, inner] sizes when in and out are contiguous, the reduced dims form one run
// and the last dim is kept; false otherwise.
bool middle_layout(const KernelArg& out, const KernelArg& in, int64_t& outer, int64_t& reduced, int64_t& inner) {
  if (!in.is_contiguous() || !out.is_contiguous() || in.dim() == 0) return false;
  int64_t first = -1, last = -1;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (out.shape[d] == in.shape[d]) continue;
    if (first < 0) first = d;
    else if (last != d - 1) return false;  // a second run
    last = d;
  }
  if (first < 0 || last == in.dim() - 1) return false;
  outer = reduced = inner = 1;
  for (int64_t d = 0; d < in.dim(); ++d) (d < first ? outer : d <= last ? reduced : inner) *= in.shape[d];
  return reduced > 1 && inner > 1;
}

// Σ x[0..n) in double: sixteen double partial sums as four vectors of four (one wider vector
// would live on the stack without AVX-512, see gate.cpp), four independent chains of adds so that
// an add's latency does not bound the loop.
using RowHalf [[gnu::vector_size(4 * sizeof(float))]] = float;
using RowSums [[gnu::vector_size(4 * sizeof(double))]] = double;

GAZE_VECTORIZE_WIDE double row_sum_f32(const float* x, int64_t n) {
  RowSums acc[4] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int k = 0; k < 4; ++k) {
      RowHalf v;
      std::memcpy(&v, x + i + 4 * k, sizeof v);
      acc[k] += __builtin_convertvector(v, RowSums);
    }
  double sum = 0.0;
  for (; i < n; ++i) sum += static_cast<double>(x[i]);
  for (int j = 0; j < 4; ++j) sum += (acc[0][j] + acc[1][j]) + (acc[2][j] + acc[3][j]);
  return sum;
}

// Sum or mean of each row in double. The rows are cut into fixed chunks, each a task, whose sums
// are added in order: the result is the same for any number of threads, and one long row (a sum
// of everything) is shared by all of them.
void reduce_trailing_f32(ReduceOp op, const float* in, float* out, int64_t rows, int64_t length) {
  constexpr int64_t kChunk = 16384;
  const int64_t chunks = (length + kChunk - 1) / kChunk, tasks = rows * chunks;
  std::vector<double> partial(static_cast<size_t>(tasks));
#pragma omp parallel for schedule(static) if (rows * length >= 32768)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t row = t / chunks, start = (t % chunks) * kChunk;
    partial[static_cast<size_t>(t)] = row_sum_f32(in + row * length + start, std::min(kChunk, length - start));
  }
  for (int64_t row = 0; row < rows; ++row) {
    double sum = 0.0;
    for (int64_t c = 0; c < chunks; ++c) sum += partial[static_cast<size_t>(row * chunks + c)];
    out[row] = static_cast<float>(op == ReduceOp::mean ? sum / static_cast<double>(length) : sum);
  }
}

}  // namespace

bool openblas::trailing_reduction(const KernelArg& out, const KernelArg& in, int64_t& rows, int64_t& length) {
  if (in.dtype != DType::f32 || out.dtype != DType::f32 || !in.is_contiguous() || !out.is_contiguous() || in.dim() == 0 ||
      out.dim() != in.dim())
    return false;
  int64_t first = in.dim();
  for (int64_t d = in.dim(); d-- > 0 && out.shape[d] == 1;) first = d;
  for (int64_t d = 0; d < first; ++d)
    if (out.shape[d] != in.shape[d]) return false;
  rows = length = 1;
  for (int64_t d = 0; d < in.dim(); ++d) (d < first ? rows : length) *= in.shape[d];
  return length > 1;
}

void OpenblasBackend::reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  if (out.dtype != in.dtype || out.dim() != in.dim() || in.numel() == 0) return ReferenceBackend::reduce(op, out, in);
  int64_t rows, length;
  if ((op == ReduceOp::sum || op == ReduceOp::mean) && openblas::trailing_reduction(out, in, rows, length)) {
    reduce_trailing_f32(op, in.ptr<float>(), out.ptr<float>(), rows, length);
    return;
  }
  int64_t mid_outer, mid_reduced, mid_inner;
  if (is_floating(in.dtype) && middle_layout(out, in, mid_outer, mid_reduced, mid_inner)) {
    if (in.dtype == DType::f32) reduce_middle_f32(op, in.ptr<float>(), out.ptr<float>(), mid_outer, mid_reduced, mid_inner);
    else reduce_middle_f64(op, in.ptr<double>(), out.ptr<double>(), mid_outer, mid_reduced, mid_inner);
    return;
  }
  Shape kept_shape, kept_in, kept_out, red_shape, red_in;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    if (out.shape[d] == in.shape[d]) {
      kept_shape.push_back(in.shape[d]);
      kept_in.push_back(in.strides[d]);
      kept_out.push_back(out.strides[d]);
    } else if (out.shape[d] == 1) {
      if (!red_shape.empty() && red_in.back() == in.strides[d] * in.shape[d]) {
        red_shape.back() *= in.shape[d];
        red_in.back() = in.strides[d];
      } else {
        red_shape.push_back(in.shape[d]);
        red_in.push_back(in.strides[d]);
      }
    } else {
      return ReferenceBackend::reduce(op, out, in);  // reports the misfit
    }
  }
  if (red_shape.empty()) {
    red_shape.push_back(1);
    red_in.push_back(0);
  }
  int64_t inner = red_shape.back(), inner_stride = red_in.back();
  Shape red_outer(red_shape.begin(), red_shape.end() - 1), red_outer_strides(red_in.begin(), red_in.end() - 1);
  int64_t outer_count = numel(red_outer), outputs = numel(kept_shape);
  double count = static_cast<double>(in.numel() / std::max<int64_t>(out.numel(), 1));
  dispatch_all(in.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = in.ptr<T>();
    T* dst = out.ptr<T>();
#pragma omp parallel for schedule(static) if (outputs > 1 && in.numel() >= 32768)
    for (int64_t o = 0; o < outputs; ++o) {
      int64_t in_base = 0, out_at = 0, rest = o;
      for (size_t d = kept_shape.size(); d-- > 0;) {
        int64_t i = rest % kept_shape[d];
        rest /= kept_shape[d];
        in_base += i * kept_in[d];
        out_at += i * kept_out[d];
      }
      double acc = op == ReduceOp::max ? -std::numeric_limits<double>::infinity()
                 : op == ReduceOp::min ? std::numeric_limits<double>::infinity() : 0.0;
      for (int64_t r = 0; r < outer_count; ++r) {
        int64_t offset = in_base, rr = r;
        for (size_t d = red_outer.size(); d-- > 0;) {
          offset += (rr % red_outer[d]) * red_outer_strides[d];
          rr /= red_outer[d];
        }
        const T* row = src + offset;
        if (op == ReduceOp::sum || op == ReduceOp::mean) {
          double s = 0.0;
          for (int64_t i = 0; i < inner; ++i) s += static_cast<double>(row[i * inner_stride]);
          acc += s;
        } else {
          for (int64_t i = 0; i < inner; ++i) {
            double v = static_cast<double>(row[i * inner_stride]);
            if (op == ReduceOp::max ? (v > acc || std::isnan(v)) : (v < acc || std::isnan(v))) acc = v;
          }
        }
      }
      if (op == ReduceOp::mean) acc /= count;
      dst[out_at] = static_cast<T>(acc);
    }
  });
}

}  // namespace gaze
