// OpenMP-parallel elementwise kernels. Rows whose elements are contiguous (or broadcast, step 0)
// run a loop the compiler vectorizes; the AVX2/FMA version is chosen at run time (target_clones),
// so the default build still runs on any x86-64.
#include <cstring>

#include "backends/openblas/openblas_backend.h"
#include "backends/openblas/rows.h"
#include "backends/openblas/vectorize.h"
#include "backends/reference/elementwise_math.h"
#include "backends/reference/loops.h"

namespace gaze {
using namespace reference;
using openblas::for_each_row;

namespace {

template <typename T>
[[gnu::always_inline]] inline void unary_row(UnaryOp op, T* out, int64_t so, const T* x, int64_t sx, int64_t n,
                                             const UnaryParams& p) {
  if (so == 1 && sx == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply_unary(op, x[i], p);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i * so] = apply_unary(op, x[i * sx], p);
  }
}
GAZE_VECTORIZE void unary_row_f32(UnaryOp op, float* o, int64_t so, const float* x, int64_t sx, int64_t n, const UnaryParams& p) {
  unary_row(op, o, so, x, sx, n, p);
}
GAZE_VECTORIZE void unary_row_f64(UnaryOp op, double* o, int64_t so, const double* x, int64_t sx, int64_t n, const UnaryParams& p) {
  unary_row(op, o, so, x, sx, n, p);
}
void unary_row_any(UnaryOp op, float* o, int64_t so, const float* x, int64_t sx, int64_t n, const UnaryParams& p) { unary_row_f32(op, o, so, x, sx, n, p); }
void unary_row_any(UnaryOp op, double* o, int64_t so, const double* x, int64_t sx, int64_t n, const UnaryParams& p) { unary_row_f64(op, o, so, x, sx, n, p); }

template <typename T>
[[gnu::always_inline]] inline void binary_row(BinaryOp op, T* out, int64_t so, const T* a, int64_t sa, const T* b, int64_t sb, int64_t n) {
  if (so == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary(op, a[i], b[i]);
  } else if (so == 1 && sa == 1 && sb == 0) {
    T bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary(op, a[i], bv);
  } else if (so == 1 && sa == 0 && sb == 1) {
    T av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = apply_binary(op, av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i * so] = apply_binary(op, a[i * sa], b[i * sb]);
  }
}
GAZE_VECTORIZE void binary_row_f32(BinaryOp op, float* o, int64_t so, const float* a, int64_t sa, const float* b, int64_t sb, int64_t n) {
  binary_row(op, o, so, a, sa, b, sb, n);
}
GAZE_VECTORIZE void binary_row_f64(BinaryOp op, double* o, int64_t so, const double* a, int64_t sa, const double* b, int64_t sb, int64_t n) {
  binary_row(op, o, so, a, sa, b, sb, n);
}
void binary_row_any(BinaryOp op, float* o, int64_t so, const float* a, int64_t sa, const float* b, int64_t sb, int64_t n) { binary_row_f32(op, o, so, a, sa, b, sb, n); }
void binary_row_any(BinaryOp op, double* o, int64_t so, const double* a, int64_t sa, const double* b, int64_t sb, int64_t n) { binary_row_f64(op, o, so, a, sa, b, sb, n); }
void binary_row_any(BinaryOp op, int64_t* o, int64_t so, const int64_t* a, int64_t sa, const int64_t* b, int64_t sb, int64_t n) { binary_row(op, o, so, a, sa, b, sb, n); }

bool same_dtype(std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->dtype != (*args.begin())->dtype) return false;
  return true;
}

}  // namespace

void OpenblasBackend::fill(const KernelArg& out, double value) {
  dispatch_all(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T v = static_cast<T>(value);
    T* o = out.ptr<T>();
    for_each_row<1>(out.shape, {&out.strides}, [&](const auto& off, int64_t n, const auto& step) {
      for (int64_t i = 0; i < n; ++i) o[off[0] + i * step[0]] = v;
    });
  });
}

void OpenblasBackend::copy(const KernelArg& out, const KernelArg& in) {
  if (out.shape != in.shape) return ReferenceBackend::copy(out, in);
  dispatch_all(out.dtype, [&](auto out_zero) {
    using O = decltype(out_zero);
    dispatch_all(in.dtype, [&](auto in_zero) {
      using I = decltype(in_zero);
      O* o = out.ptr<O>();
      const I* src = in.ptr<I>();
      for_each_row<2>(out.shape, {&out.strides, &in.strides}, [&](const auto& off, int64_t n, const auto& step) {
        if constexpr (std::is_same_v<O, I>) {
          if (step[0] == 1 && step[1] == 1) {
            std::memcpy(o + off[0], src + off[1], n * sizeof(O));
            return;
          }
        }
        for (int64_t i = 0; i < n; ++i) o[off[0] + i * step[0]] = static_cast<O>(src[off[1] + i * step[1]]);
      });
    });
  });
}

void OpenblasBackend::unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) {
  if (!same_dtype({&out, &x}) || !is_floating(out.dtype)) return ReferenceBackend::unary(op, out, x, p);
  dispatch_floating(out.dtype, unary_op_name(op), [&](auto zero) {
    using T = decltype(zero);
    T* o = out.ptr<T>();
    const T* xs = x.ptr<T>();
    for_each_row<2>(out.shape, {&out.strides, &x.strides}, [&](const auto& off, int64_t n, const auto& step) {
      unary_row_any(op, o + off[0], step[0], xs + off[1], step[1], n, p);
    });
  });
}

void OpenblasBackend::unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y, const KernelArg& x,
                                     const KernelArg& y, const UnaryParams& p) {
  if (!same_dtype({&grad_x, &grad_y, &x, &y}) || !is_floating(grad_x.dtype))
    return ReferenceBackend::unary_backward(op, grad_x, grad_y, x, y, p);
  dispatch_floating(grad_x.dtype, unary_op_name(op), [&](auto zero) {
    using T = decltype(zero);
    T* gx = grad_x.ptr<T>();
    const T *gy = grad_y.ptr<T>(), *xs = x.ptr<T>(), *ys = y.ptr<T>();
    for_each_row<4>(grad_x.shape, {&grad_x.strides, &grad_y.strides, &x.strides, &y.strides},
                    [&](const auto& off, int64_t n, const auto& step) {
                      for (int64_t i = 0; i < n; ++i)
                        gx[off[0] + i * step[0]] = gy[off[1] + i * step[1]] *
                                                   unary_derivative(op, xs[off[2] + i * step[2]], ys[off[3] + i * step[3]], p);
                    });
  });
}

void OpenblasBackend::binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  if (!same_dtype({&out, &a, &b})) return ReferenceBackend::binary(op, out, a, b);  // reports the mismatch
  dispatch_all(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.ptr<T>();
    const T *pa = a.ptr<T>(), *pb = b.ptr<T>();
    for_each_row<3>(out.shape, {&out.strides, &a.strides, &b.strides}, [&](const auto& off, int64_t n, const auto& step) {
      binary_row_any(op, o + off[0], step[0], pa + off[1], step[1], pb + off[2], step[2], n);
    });
  });
}

}  // namespace gaze
