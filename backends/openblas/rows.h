// Elementwise iteration as "rows": the output's dims are coalesced (size-1 dims dropped,
// adjacent dims merged where every operand steps through them as one), the last dim becomes a
// row walked by a tight loop, and rows are shared among OpenMP threads.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "framework/backend.h"

namespace gaze::openblas {

template <size_t N>
struct Rows {
  Shape outer;                          // dims above the row
  std::array<Shape, N> outer_strides;   // per operand
  int64_t length = 1;                   // elements per row
  std::array<int64_t, N> step{};        // per operand, within a row
  int64_t count() const { return numel(outer); }

  // Element offsets of the first element of row r, per operand.
  std::array<int64_t, N> start(int64_t r) const {
    std::array<int64_t, N> offsets{};
    for (size_t d = outer.size(); d-- > 0;) {
      int64_t i = r % outer[d];
      r /= outer[d];
      for (size_t k = 0; k < N; ++k) offsets[k] += i * outer_strides[k][d];
    }
    return offsets;
  }
};

template <size_t N>
Rows<N> make_rows(const Shape& shape, const std::array<const Shape*, N>& strides) {
  Shape dims;
  std::array<Shape, N> st;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    bool merge = !dims.empty();
    for (size_t k = 0; k < N && merge; ++k) merge = st[k].back() == (*strides[k])[d] * shape[d];
    if (merge) {
      dims.back() *= shape[d];
      for (size_t k = 0; k < N; ++k) st[k].back() = (*strides[k])[d];
    } else {
      dims.push_back(shape[d]);
      for (size_t k = 0; k < N; ++k) st[k].push_back((*strides[k])[d]);
    }
  }
  Rows<N> rows;
  if (dims.empty()) return rows;  // one element
  rows.length = dims.back();
  dims.pop_back();
  rows.outer = dims;
  for (size_t k = 0; k < N; ++k) {
    rows.step[k] = st[k].back();
    st[k].pop_back();
    rows.outer_strides[k] = st[k];
  }
  return rows;
}

// Calls fn(offsets, length, steps) for every row, in parallel when there is enough work.
template <size_t N, typename Fn>
void for_each_row(const Shape& shape, const std::array<const Shape*, N>& strides, Fn&& fn) {
  if (numel(shape) == 0) return;
  Rows<N> rows = make_rows<N>(shape, strides);
  int64_t count = rows.count();
  bool parallel = count > 1 && numel(shape) >= 32768;
#pragma omp parallel for schedule(static) if (parallel)
  for (int64_t r = 0; r < count; ++r) fn(rows.start(r), rows.length, rows.step);
}

}  // namespace gaze::openblas
