// Convolution as im2col + GEMM (forward, backward-weight) and GEMM + col2im (backward-data),
// one image and one group at a time; OpenBLAS threads each GEMM, OpenMP the unfolding.
// 1x1 convolutions with unit stride and no padding skip the unfolding: the input is the matrix.
// Convolutions with a handful of channels (CBAM's 2 -> 1) run directly instead (thin_conv.h).
#include <vector>

#include "backends/openblas/gemm.h"
#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/thin_conv.h"
#include "backends/reference/loops.h"

namespace gaze {
using namespace reference;

namespace {

// The unfolded matrix of one group of one image: rows() × cols().
struct Geometry : ConvGeometry {
  explicit Geometry(const ConvGeometry& g) : ConvGeometry(g) {}
  int64_t rows() const { return in_per_group * kernel_volume(); }
  int64_t cols() const { return out.plane(); }
  bool is_pointwise() const {
    return kernel_volume() == 1 && stride == std::array<int64_t, 3>{1, 1, 1} && pad == std::array<int64_t, 3>{0, 0, 0};
  }
};

Geometry geometry(const KernelArg& x, const KernelArg& w, const KernelArg& out, const ConvParams& p, const char* op) {
  return Geometry(conv_geometry(x, w, out, p, "openblas", op));
}

// Calls fn(row, col_index, input_index or -1 for padding) over the unfolded matrix of one group
// of one image, rows split across threads.
template <typename Fn>
void for_each_unfolded(const Geometry& g, Fn&& fn) {
  const auto& is = g.in.size;
  const auto& os = g.out.size;
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < g.in_per_group; ++c)
    for (int64_t kd = 0; kd < g.k[0]; ++kd)
      for (int64_t kh = 0; kh < g.k[1]; ++kh)
        for (int64_t kw = 0; kw < g.k[2]; ++kw) {
          int64_t row = ((c * g.k[0] + kd) * g.k[1] + kh) * g.k[2] + kw;
          int64_t col = 0;
          for (int64_t od = 0; od < os[0]; ++od) {
            int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
            for (int64_t oh = 0; oh < os[1]; ++oh) {
              int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
              bool row_in = id >= 0 && id < is[0] && ih >= 0 && ih < is[1];
              int64_t base = (c * is[0] + id) * is[1] + ih;
              for (int64_t ow = 0; ow < os[2]; ++ow, ++col) {
                int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
                fn(row, col, row_in && iw >= 0 && iw < is[2] ? base * is[2] + iw : -1);
              }
            }
          }
        }
}

template <typename T>
void im2col(const Geometry& g, const T* x, T* col) {
  int64_t cols = g.cols();
  for_each_unfolded(g, [&](int64_t row, int64_t c, int64_t i) { col[row * cols + c] = i >= 0 ? x[i] : T(0); });
}

// Each row belongs to one input channel and rows of a channel are handled by one thread, so
// the accumulation has no races.
template <typename T>
void col2im(const Geometry& g, const T* col, T* x) {
  int64_t cols = g.cols();
  for_each_unfolded(g, [&](int64_t row, int64_t c, int64_t i) {
    if (i >= 0) x[i] += col[row * cols + c];
  });
}

// The matrix of one group of one image that GEMM reads: the input itself for a pointwise
// convolution, else its unfolding written into `col`.
template <typename T>
const T* unfolded(const Geometry& g, const T* x_group, std::vector<T>& col) {
  if (g.is_pointwise()) return x_group;
  im2col(g, x_group, col.data());
  return col.data();
}

}  // namespace

void OpenblasBackend::conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight, const ConvParams& p) {
  if (openblas::thin_conv_applies(x, weight, out, p)) return openblas::thin_conv_forward(out, x, weight, p);
  Geometry g = geometry(x, weight, out, p, "conv_forward");
  dispatch_floating(out.dtype, "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> col(g.is_pointwise() ? 0 : g.rows() * g.cols());
    int64_t in_group = g.in_per_group * g.in.plane(), out_group = g.out_per_group * g.out.plane();
    int64_t w_group = g.out_per_group * g.rows();
    for (int64_t n = 0; n < g.in.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* matrix = unfolded(g, x.ptr<T>() + (n * g.groups + grp) * in_group, col);
        openblas::gemm<T>(g.out_per_group, g.cols(), g.rows(), T(1), weight.ptr<T>() + grp * w_group, g.rows(), 1,
                          matrix, g.cols(), 1, T(0), out.ptr<T>() + (n * g.groups + grp) * out_group, g.cols(), 1);
      }
  });
}

void OpenblasBackend::conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& weight,
                                         const ConvParams& p) {
  if (openblas::thin_conv_applies(grad_x, weight, grad_out, p)) return openblas::thin_conv_backward_data(grad_x, grad_out, weight, p);
  Geometry g = geometry(grad_x, weight, grad_out, p, "conv_backward_data");
  dispatch_floating(grad_x.dtype, "conv_backward_data", [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> col(g.is_pointwise() ? 0 : g.rows() * g.cols());
    int64_t in_group = g.in_per_group * g.in.plane(), out_group = g.out_per_group * g.out.plane();
    int64_t w_group = g.out_per_group * g.rows();
    if (!g.is_pointwise()) std::fill(grad_x.ptr<T>(), grad_x.ptr<T>() + grad_x.numel(), T(0));
    for (int64_t n = 0; n < g.in.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        T* gx = grad_x.ptr<T>() + (n * g.groups + grp) * in_group;
        T* target = g.is_pointwise() ? gx : col.data();
        // colᵀ-shaped product: Wᵀ [rows, O/g] · grad_out [O/g, cols]
        openblas::gemm<T>(g.rows(), g.cols(), g.out_per_group, T(1), weight.ptr<T>() + grp * w_group, 1, g.rows(),
                          grad_out.ptr<T>() + (n * g.groups + grp) * out_group, g.cols(), 1, T(0), target, g.cols(), 1);
        if (!g.is_pointwise()) col2im(g, col.data(), gx);
      }
  });
}

void OpenblasBackend::conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out, const KernelArg& x,
                                           const ConvParams& p) {
  if (openblas::thin_conv_applies(x, grad_weight, grad_out, p)) return openblas::thin_conv_backward_weight(grad_weight, grad_out, x, p);
  Geometry g = geometry(x, grad_weight, grad_out, p, "conv_backward_weight");
  dispatch_floating(grad_weight.dtype, "conv_backward_weight", [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> col(g.is_pointwise() ? 0 : g.rows() * g.cols());
    int64_t in_group = g.in_per_group * g.in.plane(), out_group = g.out_per_group * g.out.plane();
    int64_t w_group = g.out_per_group * g.rows();
    for (int64_t n = 0; n < g.in.n; ++n)
      for (int64_t grp = 0; grp < g.groups; ++grp) {
        const T* matrix = unfolded(g, x.ptr<T>() + (n * g.groups + grp) * in_group, col);
        // grad_w [O/g, rows] (+)= grad_out [O/g, cols] · colᵀ [cols, rows]
        openblas::gemm<T>(g.out_per_group, g.rows(), g.cols(), T(1), grad_out.ptr<T>() + (n * g.groups + grp) * out_group,
                          g.cols(), 1, matrix, 1, g.cols(), n == 0 ? T(0) : T(1), grad_weight.ptr<T>() + grp * w_group,
                          g.rows(), 1);
      }
  });
}

}  // namespace gaze
