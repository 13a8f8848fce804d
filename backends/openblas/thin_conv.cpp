#include "backends/openblas/thin_conv.h"

#include <algorithm>
#include "backends/openblas/vectorize.h"
#include "backends/reference/loops.h"

namespace gaze::openblas {

namespace {

using reference::ConvGeometry;

// One row of taps: dst[i] += Σ_k w[k] · src[i + k·step + offset] over the i in [0, dst_len) whose
// source index lies in [0, src_len). The forward pass reads input rows with step = dilation,
// offset = -padding; the data gradient reads gradient rows with the taps mirrored (step =
// -dilation, offset = padding).
template <typename T>
[[gnu::always_inline]] inline void row_taps(T* dst, int64_t dst_len, const T* src, int64_t src_len, const T* w, int64_t taps,
                                            int64_t step, int64_t offset) {
  for (int64_t k = 0; k < taps; ++k) {
    const int64_t shift = k * step + offset;
    const int64_t lo = std::max<int64_t>(0, -shift), hi = std::min(dst_len, src_len - shift);
    const T wk = w[k];
    const T* s = src + shift;
    for (int64_t i = lo; i < hi; ++i) dst[i] += wk * s[i];
  }
}

// Σ a[i] · b[i + shift] over the i in [0, a_len) with i + shift in [0, b_len), in sixteen
// independent lanes of T (the loop vectorizes; the sum's order is fixed by the lanes).
template <typename T>
[[gnu::always_inline]] inline double shifted_dot(const T* a, int64_t a_len, const T* b, int64_t b_len, int64_t shift) {
  const int64_t lo = std::max<int64_t>(0, -shift), hi = std::min(a_len, b_len - shift);
  constexpr int kLanes = 16;
  T lanes[kLanes] = {};
  int64_t i = lo;
  for (; i + kLanes <= hi; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] += a[i + j] * b[i + j + shift];
  double sum = 0.0;
  for (; i < hi; ++i) sum += static_cast<double>(a[i]) * static_cast<double>(b[i + shift]);
  for (T v : lanes) sum += static_cast<double>(v);
  return sum;
}

#define GAZE_THIN_CONV_CLONES(T)                                                                                 \
  GAZE_VECTORIZE_WIDE void taps_row(T* dst, int64_t dst_len, const T* src, int64_t src_len, const T* w,           \
                                    int64_t taps, int64_t step, int64_t offset) {                                 \
    row_taps(dst, dst_len, src, src_len, w, taps, step, offset);                                                  \
  }                                                                                                               \
  GAZE_VECTORIZE_WIDE double dot_row(const T* a, int64_t a_len, const T* b, int64_t b_len, int64_t shift) {       \
    return shifted_dot(a, a_len, b, b_len, shift);                                                                \
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

// Enough work per parallel region to beat its start-up (a few microseconds).
constexpr int64_t kParallelMinTaps = 16384;

template <typename T>
void forward(const Plane& s, T* out, const T* x, const T* w) {
  const int64_t rows = s.n * s.out_c * s.oh;
#pragma omp parallel for schedule(static) if (rows * s.ow * s.in_c * s.kh * s.kw >= kParallelMinTaps)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t oy = r % s.oh, o = (r / s.oh) % s.out_c, n = r / (s.oh * s.out_c);
    T* dst = out + r * s.ow;
    std::fill_n(dst, s.ow, T(0));
    for (int64_t c = 0; c < s.in_c; ++c)
      for (int64_t ky = 0; ky < s.kh; ++ky) {
        const int64_t iy = oy - s.pad_h + ky * s.dil_h;
        if (iy < 0 || iy >= s.ih) continue;
        taps_row(dst, s.ow, x + ((n * s.in_c + c) * s.ih + iy) * s.iw, s.iw, w + ((o * s.in_c + c) * s.kh + ky) * s.kw, s.kw,
                 s.dil_w, -s.pad_w);
      }
  }
}

template <typename T>
void backward_data(const Plane& s, T* grad_x, const T* grad_out, const T* w) {
  const int64_t rows = s.n * s.in_c * s.ih;
#pragma omp parallel for schedule(static) if (rows * s.iw * s.out_c * s.kh * s.kw >= kParallelMinTaps)
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t iy = r % s.ih, c = (r / s.ih) % s.in_c, n = r / (s.ih * s.in_c);
    T* dst = grad_x + r * s.iw;
    std::fill_n(dst, s.iw, T(0));
    for (int64_t o = 0; o < s.out_c; ++o)
      for (int64_t ky = 0; ky < s.kh; ++ky) {
        const int64_t oy = iy + s.pad_h - ky * s.dil_h;
        if (oy < 0 || oy >= s.oh) continue;
        taps_row(dst, s.iw, grad_out + ((n * s.out_c + o) * s.oh + oy) * s.ow, s.ow, w + ((o * s.in_c + c) * s.kh + ky) * s.kw,
                 s.kw, -s.dil_w, s.pad_w);
      }
  }
}

template <typename T>
void backward_weight(const Plane& s, T* grad_w, const T* grad_out, const T* x) {
  const int64_t taps = s.out_c * s.in_c * s.kh * s.kw;
#pragma omp parallel for schedule(static) if (taps * s.n * s.oh * s.ow >= kParallelMinTaps)
  for (int64_t t = 0; t < taps; ++t) {
    const int64_t kx = t % s.kw, ky = (t / s.kw) % s.kh, c = (t / (s.kw * s.kh)) % s.in_c, o = t / (s.kw * s.kh * s.in_c);
    double sum = 0.0;
    for (int64_t n = 0; n < s.n; ++n)
      for (int64_t oy = 0; oy < s.oh; ++oy) {
        const int64_t iy = oy - s.pad_h + ky * s.dil_h;
        if (iy < 0 || iy >= s.ih) continue;
        sum += dot_row(grad_out + ((n * s.out_c + o) * s.oh + oy) * s.ow, s.ow, x + ((n * s.in_c + c) * s.ih + iy) * s.iw, s.iw,
                       kx * s.dil_w - s.pad_w);
      }
    grad_w[t] = static_cast<T>(sum);
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
