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

ConvGeometry conv_geometry(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p,
                           const char* backend, const char* op) {
  ConvGeometry g;
  g.in = spatial3(x, op);
  g.out = spatial3(out, op);
  Spatial3 w = spatial3(weight, op);
  g.k = w.size;
  g.stride = pad3(p.stride, 1);
  g.pad = pad3(p.padding, 0);
  g.dil = pad3(p.dilation, 1);
  g.groups = p.groups;
  g.in_per_group = g.in.c / g.groups;
  g.out_per_group = g.out.c / g.groups;
  if (w.n != g.out.c || w.c != g.in_per_group || g.in.n != g.out.n)
    fail("{} {}: weight {} does not fit input {} and output {} with {} groups", backend, op, shape_str(weight.shape),
         shape_str(x.shape), shape_str(out.shape), g.groups);
  return g;
}

AxisLayout axis_layout(const KernelArg& x, int64_t dim) {
  AxisLayout l;
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (d < dim) l.outer *= x.shape[d];
    else if (d == dim) l.size = x.shape[d];
    else l.inner *= x.shape[d];
  }
  return l;
}

}  // namespace gaze::reference
