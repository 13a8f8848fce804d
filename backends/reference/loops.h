// Loop helpers for the reference backend: dtype dispatch and strided iteration. Plain code on
// purpose: the reference is the oracle, so it must be obviously right, not fast.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "framework/backend.h"
#include "framework/error.h"

namespace gaze::reference {

// Calls fn(T{}) with T the C++ type of `dtype` (floating types only).
template <typename Fn>
void dispatch_floating(DType dtype, const char* op, Fn&& fn) {
  switch (dtype) {
    case DType::f32: fn(float{}); return;
    case DType::f64: fn(double{}); return;
    default: fail("reference: op '{}' does not support dtype {}", op, dtype_name(dtype));
  }
}

template <typename Fn>
void dispatch_all(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::f32: fn(float{}); return;
    case DType::f64: fn(double{}); return;
    case DType::i64: fn(int64_t{}); return;
  }
}

// Visits every index of `shape` in row-major order, calling fn(offsets) where offsets[k] is the
// element offset of that index in operand k (strides[k]).
template <size_t N, typename Fn>
void for_each_index(const Shape& shape, const std::array<const Shape*, N>& strides, Fn&& fn) {
  if (numel(shape) == 0) return;
  size_t ndim = shape.size();
  std::vector<int64_t> index(ndim, 0);
  std::array<int64_t, N> offsets{};
  while (true) {
    fn(offsets);
    size_t d = ndim;
    while (d > 0) {
      --d;
      ++index[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += (*strides[k])[d];
      if (index[d] < shape[d]) break;
      for (size_t k = 0; k < N; ++k) offsets[k] -= (*strides[k])[d] * shape[d];
      index[d] = 0;
      if (d == 0) return;
    }
    if (ndim == 0) return;
  }
}

// Splits a contiguous [N, C, *spatial] array (1 to 3 spatial dims) into its sizes, with the
// spatial dims padded in front to 3 (D, H, W) so one loop nest serves 1D, 2D and 3D.
struct Spatial3 {
  int64_t n = 1, c = 1;
  std::array<int64_t, 3> size{1, 1, 1};
  int64_t plane() const { return size[0] * size[1] * size[2]; }
};
Spatial3 spatial3(const KernelArg& a, const char* op);
// Pads a per-spatial-dim parameter vector in front to 3 entries with `fill`.
std::array<int64_t, 3> pad3(const std::vector<int64_t>& v, int64_t fill);

// A convolution's sizes in the 3D form, checked: x [N, C, *], weight [O, C/groups, *k],
// out [N, O, *]. `backend` and `op` name the caller in the error.
struct ConvGeometry {
  Spatial3 in, out;
  std::array<int64_t, 3> k, stride, pad, dil;
  int64_t groups, in_per_group, out_per_group;
  int64_t kernel_volume() const { return k[0] * k[1] * k[2]; }
};
ConvGeometry conv_geometry(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p,
                           const char* backend, const char* op);

// A contiguous array seen as [outer, size, inner] around `dim` (softmax's layout).
struct AxisLayout {
  int64_t outer = 1, size = 1, inner = 1;
};
AxisLayout axis_layout(const KernelArg& x, int64_t dim);

}  // namespace gaze::reference
