// Reference upsampling: nearest (PyTorch's legacy 'nearest': src = floor(dst·in/out)) and
// linear / bilinear / trilinear over 1 to 3 spatial dims, with or without aligned corners.
#include <cmath>
#include <vector>

#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

namespace {

// For one output coordinate along one dim: two source indices and the weight of the second.
struct Tap {
  int64_t i0, i1;
  double lambda;
};

Tap source_tap(UpsampleMode mode, bool align_corners, int64_t dst, int64_t in, int64_t out) {
  if (mode == UpsampleMode::nearest) {
    int64_t src = std::min(static_cast<int64_t>(std::floor(static_cast<double>(dst) * in / out)), in - 1);
    return {src, src, 0.0};
  }
  double src;
  if (align_corners) {
    src = out > 1 ? static_cast<double>(dst) * (in - 1) / (out - 1) : 0.0;
  } else {
    src = (static_cast<double>(dst) + 0.5) * in / out - 0.5;
    if (src < 0) src = 0;
  }
  int64_t i0 = std::min(static_cast<int64_t>(src), in - 1);
  int64_t i1 = i0 < in - 1 ? i0 + 1 : i0;
  return {i0, i1, src - static_cast<double>(i0)};
}

// Calls fn(in_flat, out_flat, weight) for every (input, output) pair with a non-zero weight.
template <typename Fn>
void for_each_tap(UpsampleMode mode, bool align_corners, const Spatial3& in, const Spatial3& out,
                  Fn&& fn) {
  std::vector<Tap> taps[3];
  for (int d = 0; d < 3; ++d)
    for (int64_t o = 0; o < out.size[d]; ++o)
      taps[d].push_back(source_tap(mode, align_corners, o, in.size[d], out.size[d]));
  int64_t out_index = 0;
  for (int64_t plane = 0; plane < out.n * out.c; ++plane)
    for (int64_t od = 0; od < out.size[0]; ++od)
      for (int64_t oh = 0; oh < out.size[1]; ++oh)
        for (int64_t ow = 0; ow < out.size[2]; ++ow, ++out_index) {
          const Tap* t[3] = {&taps[0][od], &taps[1][oh], &taps[2][ow]};
          for (int corner = 0; corner < 8; ++corner) {
            double weight = 1.0;
            int64_t idx[3];
            for (int d = 0; d < 3; ++d) {
              bool second = (corner >> (2 - d)) & 1;
              weight *= second ? t[d]->lambda : 1.0 - t[d]->lambda;
              idx[d] = second ? t[d]->i1 : t[d]->i0;
            }
            if (weight == 0.0) continue;
            fn(plane * in.plane() + (idx[0] * in.size[1] + idx[1]) * in.size[2] + idx[2], out_index, weight);
          }
        }
}

}  // namespace

void ReferenceBackend::upsample_forward(UpsampleMode mode, bool align_corners,
                                        const KernelArg& out, const KernelArg& x) {
  Spatial3 in = spatial3(x, "upsample_forward"), os = spatial3(out, "upsample_forward");
  dispatch_floating(x.dtype, "upsample_forward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(out.numel(), 0.0);
    const T* xs = x.ptr<T>();
    for_each_tap(mode, align_corners, in, os, [&](int64_t xi, int64_t oi, double w) {
      acc[oi] += w * static_cast<double>(xs[xi]);
    });
    for (size_t i = 0; i < acc.size(); ++i) out.ptr<T>()[i] = static_cast<T>(acc[i]);
  });
}

void ReferenceBackend::upsample_backward(UpsampleMode mode, bool align_corners,
                                         const KernelArg& grad_x, const KernelArg& grad_out) {
  Spatial3 in = spatial3(grad_x, "upsample_backward"), os = spatial3(grad_out, "upsample_backward");
  dispatch_floating(grad_x.dtype, "upsample_backward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(grad_x.numel(), 0.0);
    const T* go = grad_out.ptr<T>();
    for_each_tap(mode, align_corners, in, os, [&](int64_t xi, int64_t oi, double w) {
      acc[xi] += w * static_cast<double>(go[oi]);
    });
    for (size_t i = 0; i < acc.size(); ++i) grad_x.ptr<T>()[i] = static_cast<T>(acc[i]);
  });
}

}  // namespace gaze
