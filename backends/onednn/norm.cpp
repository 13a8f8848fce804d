// Softmax / log-softmax as oneDNN primitives on our plain layouts. The array is seen as
// [outer, size, inner] whatever its rank, so there is one primitive per distinct problem.
// Batch norm is the parent's: oneDNN 2.6 runs batch norm on plain (NCHW) arrays with its generic
// C++ loops, the largest item after the convolutions in a profile of a small ResNet's training
// step; its JIT versions want blocked or NHWC layouts, a reorder each way. The parent's
// vectorized channel loops are faster (docs/backends.md, "Measured design choices").
#include <cmath>
#include <optional>
#include <vector>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

// Empty where oneDNN has only its reference loops (softmax along a dim that is not innermost).
struct SoftmaxEntry {
  std::optional<dnnl::softmax_v2_forward> primitive;
};

struct SoftmaxBackwardEntry {
  std::optional<dnnl::softmax_v2_backward> primitive;
};

// [outer, size, inner] around dim.
Shape axis_view(const KernelArg& x, int64_t dim) {
  Shape v{1, x.shape[dim], 1};
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) v[d < dim ? 0 : 2] *= x.shape[d];
  return v;
}

dnnl::algorithm softmax_algorithm(bool log) {
  return log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
}

dnnl::softmax_v2_forward::primitive_desc softmax_forward_pd(const dnnl::memory::desc& data,
                                                            bool log) {
  return {{dnnl::prop_kind::forward_training, softmax_algorithm(log), data, data, 1}, engine()};
}

}  // namespace

void OnednnBackend::softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim,
                                    bool log) {
  if (!all_f32({&out, &x}) || !all_dense({&out, &x}) || out.shape != x.shape || dim < 0 ||
      dim >= x.dim())
    return OpenblasBackend::softmax_forward(out, x, dim, log);
  Shape view = axis_view(x, dim);
  auto e = guarded("softmax_forward", {&out, &x}, [&] {
    return cached<SoftmaxEntry>(fmt::format("softmax_forward {} {}", shape_str(view), log), [&] {
      auto pd = softmax_forward_pd(f32_desc(view), log);
      if (reference_only(pd)) return SoftmaxEntry{};
      return SoftmaxEntry{dnnl::softmax_v2_forward(pd)};
    });
  });
  if (!e->primitive) return OpenblasBackend::softmax_forward(out, x, dim, log);
  guarded("softmax_forward", {&out, &x}, [&] {
    dnnl::memory::desc data = f32_desc(view);
    execute(*e->primitive,
            {{DNNL_ARG_SRC, wrap(data, x.data)}, {DNNL_ARG_DST, wrap(data, out.data)}});
  });
}

void OnednnBackend::softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y,
                                     const KernelArg& y, int64_t dim, bool log) {
  if (!all_f32({&grad_x, &grad_y, &y}) || !all_dense({&grad_x, &grad_y, &y}) ||
      grad_x.shape != y.shape || grad_y.shape != y.shape || dim < 0 || dim >= y.dim())
    return OpenblasBackend::softmax_backward(grad_x, grad_y, y, dim, log);
  Shape view = axis_view(y, dim);
  auto e = guarded("softmax_backward", {&grad_x, &grad_y, &y}, [&] {
    return cached<SoftmaxBackwardEntry>(
        fmt::format("softmax_backward {} {}", shape_str(view), log), [&] {
          dnnl::memory::desc data = f32_desc(view);
          dnnl::softmax_v2_backward::primitive_desc pd(
              {softmax_algorithm(log), data, data, data, 1}, engine(),
              softmax_forward_pd(data, log));
          if (reference_only(pd)) return SoftmaxBackwardEntry{};
          return SoftmaxBackwardEntry{dnnl::softmax_v2_backward(pd)};
        });
  });
  if (!e->primitive) return OpenblasBackend::softmax_backward(grad_x, grad_y, y, dim, log);
  guarded("softmax_backward", {&grad_x, &grad_y, &y}, [&] {
    dnnl::memory::desc data = f32_desc(view);
    execute(*e->primitive, {{DNNL_ARG_DST, wrap(data, y.data)},
                            {DNNL_ARG_DIFF_DST, wrap(data, grad_y.data)},
                            {DNNL_ARG_DIFF_SRC, wrap(data, grad_x.data)}});
  });
}

}  // namespace gaze
