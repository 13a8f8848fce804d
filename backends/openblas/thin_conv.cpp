#include "backends/openblas/thin_conv.h"

#include <algorithm>
#include <vector>

#include "backends/openblas/vectorize.h"
#include "backends/reference/loops.h"

namespace gaze::openblas {

namespace {

using reference::ConvGeometry;

constexpr int kDotLanes = 16;  // rows_dot's partial sums; rows are padded to a multiple of it

int64_t round_to_lanes(int64_t n) { return (n + kDotLanes - 1) / kDotLanes * kDotLanes; }

// The loops run over zero-padded copies of the rows they read (padded_rows), so every tap spans
// the whole output row: no bounds per tap, and full vectors.

// dst[i] += Σ_k w[k] · src[i + k·step] for i in [0, n).
template <typename T>
[[gnu::always_inline]] inline void row_taps(T* dst, int64_t n, const T* src, const T* w, int64_t taps, int64_t step) {
  for (int64_t k = 0; k < taps; ++k) {
    const T wk = w[k];
    const T* s = src + k * step;
    for (int64_t i = 0; i < n; ++i) dst[i] += wk * s[i];
  }
}

// Σ over the row pairs r of Σ_i a_rows[r][i] · b_rows[r][i + b_shift] for i in [0, n), in
// sixteen lanes of T, folded into a double every kDotFoldRows rows: a weight's gradient sums over
// the whole batch's positions, and one float lane per 16 of them would grow long.
constexpr int64_t kDotFoldRows = 64;

template <typename T>
[[gnu::always_inline]] inline double rows_dot(const T* const* a_rows, const T* const* b_rows, int64_t rows, int64_t n,
                                              int64_t b_shift) {
  constexpr int kLanes = kDotLanes;
  double total = 0.0;
  for (int64_t r0 = 0; r0 < rows; r0 += kDotFoldRows) {
    T lanes[kLanes] = {};
    for (int64_t r = r0; r < std::min(rows, r0 + kDotFoldRows); ++r) {
      const T* a = a_rows[r];
      const T* b = b_rows[r] + b_shift;
      int64_t i = 0;
      for (; i + kLanes <= n; i += kLanes)
        for (int j = 0; j < kLanes; ++j) lanes[j] += a[i + j] * b[i + j];
      for (; i < n; ++i) total += static_cast<double>(a[i]) * static_cast<double>(b[i]);
    }
    for (T v : lanes) total += static_cast<double>(v);
  }
  return total;
}

#define GAZE_THIN_CONV_CLONES(T)                                                                                   \
  GAZE_VECTORIZE_WIDE void taps_row(T* dst, int64_t n, const T* src, const T* w, int64_t taps, int64_t step) {     \
    row_taps(dst, n, src, w, taps, step);                                                                           \
  }                                                                                                                 \
  GAZE_VECTORIZE_WIDE double dot_rows(const T* const* a_rows, const T* const* b_rows, int64_t rows, int64_t n,      \
                                      int64_t b_shift) {                                                            \
    return rows_dot(a_rows, b_rows, rows, n, b_shift);                                                              \
  }
GAZE_THIN_CONV_CLONES(float)
GAZE_THIN_CONV_CLONES(double)
#undef GAZE_THIN_CONV_CLONES

// The 2D sizes of a convolution the kernels take (index 1 and 2 of the 3D geometry).
struct Plane {
  int64_t n, in_c, out_c, ih, iw, oh, ow, kh, kw, pad_h, pad_w, dil_h, dil_w;
};

Plane plane_of(const ConvGeometry& g) {
  return {g.in.n,     g.in.c,     g.out.c,    g.in.size[1], g.in.size[2], g.out.size[1], g.out.size[2],
          g.k[1],     g.k[2],     g.pad[1],   g.pad[2],     g.dil[1],     g.dil[2]};
}

// `rows` rows of `len`, each copied between `left` and `right` zeros: row r starts at
// r · (left + len + right) + left of the result.
template <typename T>
std::vector<T> padded_rows(const T* src, int64_t rows, int64_t len, int64_t left, int64_t right) {
  const int64_t width = left + len + right;
  std::vector<T> out(static_cast<size_t>(rows * width), T(0));
  for (int64_t r = 0; r < rows; ++r) std::copy_n(src + r * len, len, out.data() + r * width + left);
  return out;
}

// Enough work per parallel region to beat its start-up (a few microseconds).
constexpr int64_t kParallelMinTaps = 16384;

// For each of `rows` output rows of `len`: add_taps(r, scratch) sums the row into a zeroed
// scratch row of `lanes` >= len elements (whole vectors, so the taps have no scalar tail), whose
// first `len` are then copied to row r of `out`. Rows in parallel when `parallel`.
template <typename T, typename AddTaps>
void rows_through_scratch(T* out, int64_t rows, int64_t len, int64_t lanes, bool parallel, const AddTaps& add_taps) {
#pragma omp parallel if (parallel)
  {
    std::vector<T> scratch(static_cast<size_t>(lanes));
#pragma omp for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      std::fill(scratch.begin(), scratch.end(), T(0));
      add_taps(r, scratch.data());
      std::copy_n(scratch.data(), len, out + r * len);
    }
  }
}

// out[n,o,y,x] = Σ_c,ky,kx w[o,c,ky,kx] · x[n,c,y+ky·dh-ph, x+kx·dw-pw]: with x padded by pw on
// the left (and enough on the right for whole vectors), output x reads padded column x + kx·dw.
template <typename T>
void forward(const Plane& s, T* out, const T* x, const T* w) {
  const int64_t lanes_ow = round_to_lanes(s.ow);
  const int64_t width = s.iw + 2 * s.pad_w + (lanes_ow - s.ow);
  const std::vector<T> xp = padded_rows(x, s.n * s.in_c * s.ih, s.iw, s.pad_w, s.pad_w + (lanes_ow - s.ow));
  const int64_t rows = s.n * s.out_c * s.oh;
  rows_through_scratch(out, rows, s.ow, lanes_ow, rows * s.ow * s.in_c * s.kh * s.kw >= kParallelMinTaps, [&](int64_t r, T* acc) {
    const int64_t oy = r % s.oh, o = (r / s.oh) % s.out_c, n = r / (s.oh * s.out_c);
    for (int64_t c = 0; c < s.in_c; ++c)
      for (int64_t ky = 0; ky < s.kh; ++ky) {
        const int64_t iy = oy - s.pad_h + ky * s.dil_h;
        if (iy < 0 || iy >= s.ih) continue;
        taps_row(acc, lanes_ow, xp.data() + ((n * s.in_c + c) * s.ih + iy) * width, w + ((o * s.in_c + c) * s.kh + ky) * s.kw,
                 s.kw, s.dil_w);
      }
  });
}

// grad_x[n,c,y,x] = Σ_o,ky,kx w[o,c,ky,kx] · grad_out[n,o,y-ky·dh+ph, x-kx·dw+pw]: grad_out padded
// by `left` zeros reads at x + pw + left - kx·dw, never below 0 or past the row.
template <typename T>
void backward_data(const Plane& s, T* grad_x, const T* grad_out, const T* w) {
  const int64_t lanes_iw = round_to_lanes(s.iw);
  const int64_t left = std::max<int64_t>(0, (s.kw - 1) * s.dil_w - s.pad_w);
  const int64_t right = std::max<int64_t>(0, lanes_iw + s.pad_w - s.ow);
  const int64_t width = left + s.ow + right;
  const std::vector<T> gp = padded_rows(grad_out, s.n * s.out_c * s.oh, s.ow, left, right);
  const int64_t rows = s.n * s.in_c * s.ih;
  rows_through_scratch(grad_x, rows, s.iw, lanes_iw, rows * s.iw * s.out_c * s.kh * s.kw >= kParallelMinTaps, [&](int64_t r, T* acc) {
    const int64_t iy = r % s.ih, c = (r / s.ih) % s.in_c, n = r / (s.ih * s.in_c);
    for (int64_t o = 0; o < s.out_c; ++o)
      for (int64_t ky = 0; ky < s.kh; ++ky) {
        const int64_t oy = iy + s.pad_h - ky * s.dil_h;
        if (oy < 0 || oy >= s.oh) continue;
        taps_row(acc, lanes_iw, gp.data() + ((n * s.out_c + o) * s.oh + oy) * width + left + s.pad_w,
                 w + ((o * s.in_c + c) * s.kh + ky) * s.kw, s.kw, -s.dil_w);
      }
  });
}

// grad_w[o,c,ky,kx] = Σ_n,y,x grad_out[n,o,y,x] · x[n,c,y+ky·dh-ph, x+kx·dw-pw], over x padded as
// in the forward pass; a task per (o, c, ky) row of taps, its row pairs listed once.
template <typename T>
void backward_weight(const Plane& s, T* grad_w, const T* grad_out, const T* x) {
  // Both operands' rows are also zero-filled up to a whole number of dot_rows' lanes, so its loop
  // has no scalar tail (a 28-wide row would otherwise be 16 lanes and 12 single steps).
  const int64_t lanes_ow = round_to_lanes(s.ow), extra = lanes_ow - s.ow;
  const std::vector<T> gp = padded_rows(grad_out, s.n * s.out_c * s.oh, s.ow, 0, extra);
  const int64_t width = s.iw + 2 * s.pad_w + extra;
  const std::vector<T> xp = padded_rows(x, s.n * s.in_c * s.ih, s.iw, s.pad_w, s.pad_w + extra);
  const int64_t tasks = s.out_c * s.in_c * s.kh;
#pragma omp parallel for schedule(static) if (tasks * s.kw * s.n * s.oh * s.ow >= kParallelMinTaps)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t ky = t % s.kh, c = (t / s.kh) % s.in_c, o = t / (s.kh * s.in_c);
    std::vector<const T*> a_rows, b_rows;
    a_rows.reserve(static_cast<size_t>(s.n * s.oh));
    b_rows.reserve(static_cast<size_t>(s.n * s.oh));
    for (int64_t n = 0; n < s.n; ++n)
      for (int64_t oy = 0; oy < s.oh; ++oy) {
        const int64_t iy = oy - s.pad_h + ky * s.dil_h;
        if (iy < 0 || iy >= s.ih) continue;
        a_rows.push_back(gp.data() + ((n * s.out_c + o) * s.oh + oy) * lanes_ow);
        b_rows.push_back(xp.data() + ((n * s.in_c + c) * s.ih + iy) * width);
      }
    for (int64_t kx = 0; kx < s.kw; ++kx)
      grad_w[t * s.kw + kx] = static_cast<T>(dot_rows(a_rows.data(), b_rows.data(), std::ssize(a_rows), lanes_ow, kx * s.dil_w));
  }
}

Plane checked_plane(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p, const char* op) {
  return plane_of(reference::conv_geometry(x, weight, out, p, "openblas", op));
}

}  // namespace

bool thin_conv_applies(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p) {
  if (x.dim() != 4 || weight.dim() != 4 || out.dim() != 4) return false;
  if (x.dtype != weight.dtype || x.dtype != out.dtype || (x.dtype != DType::f32 && x.dtype != DType::f64)) return false;
  if (!x.is_contiguous() || !weight.is_contiguous() || !out.is_contiguous()) return false;
  if (p.groups != 1 || p.stride.size() != 2 || p.padding.size() != 2 || p.dilation.size() != 2) return false;
  if (weight.shape[0] * weight.shape[1] > kThinConvChannelProduct) return false;
  if (x.shape[0] != out.shape[0] || x.shape[1] != weight.shape[1] || out.shape[1] != weight.shape[0]) return false;
  for (size_t d = 0; d < 2; ++d) {
    if (p.stride[d] != 1 || p.padding[d] < 0 || p.dilation[d] < 1) return false;
    // Stride 1: the output is the input plus both paddings less the kernel's dilated extent.
    const int64_t extent = (weight.shape[2 + d] - 1) * p.dilation[d] + 1;
    if (out.shape[2 + d] != x.shape[2 + d] + 2 * p.padding[d] - extent + 1) return false;
  }
  return true;
}

void thin_conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight, const ConvParams& p) {
  const Plane s = checked_plane(x, weight, out, p, "conv_forward");
  if (x.dtype == DType::f32) forward<float>(s, out.ptr<float>(), x.ptr<float>(), weight.ptr<float>());
  else forward<double>(s, out.ptr<double>(), x.ptr<double>(), weight.ptr<double>());
}

void thin_conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& weight, const ConvParams& p) {
  const Plane s = checked_plane(grad_x, weight, grad_out, p, "conv_backward_data");
  if (grad_x.dtype == DType::f32) backward_data<float>(s, grad_x.ptr<float>(), grad_out.ptr<float>(), weight.ptr<float>());
  else backward_data<double>(s, grad_x.ptr<double>(), grad_out.ptr<double>(), weight.ptr<double>());
}

void thin_conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out, const KernelArg& x, const ConvParams& p) {
  const Plane s = checked_plane(x, grad_weight, grad_out, p, "conv_backward_weight");
  if (x.dtype == DType::f32) backward_weight<float>(s, grad_weight.ptr<float>(), grad_out.ptr<float>(), x.ptr<float>());
  else backward_weight<double>(s, grad_weight.ptr<double>(), grad_out.ptr<double>(), x.ptr<double>());
}

}  // namespace gaze::openblas
