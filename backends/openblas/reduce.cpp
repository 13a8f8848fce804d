// Reductions, parallel over output elements: each thread walks the reduced dims of its outputs
// (adjacent reduced dims merged, the last one as a tight loop), accumulating in double.
#include <cmath>
#include <limits>

#include "backends/openblas/openblas_backend.h"
#include "backends/reference/loops.h"

namespace gaze {
using namespace reference;

void OpenblasBackend::reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  if (out.dtype != in.dtype || out.dim() != in.dim() || in.numel() == 0) return ReferenceBackend::reduce(op, out, in);
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
