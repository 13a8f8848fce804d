#include "backends/reference/loops.h"

namespace gaze::reference {

Spatial3 spatial3(const KernelArg& a, const char* op) {
  if (a.dim() < 3 || a.dim() > 5)
    fail("reference {}: expected a [N,C,*] array with 1 to 3 spatial dims, got shape {}", op,
         shape_str(a.shape));
  if (!a.is_contiguous()) fail("reference {}: the array must be contiguous", op);
  Spatial3 s;
  s.n = a.shape[0];
  s.c = a.shape[1];
  int64_t spatial = a.dim() - 2;
  for (int64_t i = 0; i < spatial; ++i) s.size[3 - spatial + i] = a.shape[2 + i];
  return s;
}

std::array<int64_t, 3> pad3(const std::vector<int64_t>& v, int64_t fill) {
  std::array<int64_t, 3> out{fill, fill, fill};
  size_t n = std::min<size_t>(v.size(), 3);
  for (size_t i = 0; i < n; ++i) out[3 - n + i] = v[v.size() - n + i];
  return out;
}

}  // namespace gaze::reference
