// Reference pooling: max (with indices), average (PyTorch's padding and ceil-mode rules) and
// adaptive average, over 1 to 3 spatial dims.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

namespace {

// Visits every output position of every (n, c) plane: fn(plane, out_index, od, oh, ow).
template <typename Fn>
void for_each_output(const Spatial3& out, Fn&& fn) {
  int64_t index = 0;
  for (int64_t plane = 0; plane < out.n * out.c; ++plane)
    for (int64_t od = 0; od < out.size[0]; ++od)
      for (int64_t oh = 0; oh < out.size[1]; ++oh)
        for (int64_t ow = 0; ow < out.size[2]; ++ow) fn(plane, index++, std::array<int64_t, 3>{od, oh, ow});
}

// The clipped window [start, end) of an average pool along one dim, and its divisor share.
struct AvgWindow {
  int64_t start, end, padded_size;
};

AvgWindow avg_window(int64_t o, int64_t in, int64_t k, int64_t s, int64_t p) {
  int64_t start = o * s - p;
  int64_t end = std::min(start + k, in + p);
  int64_t padded = end - start;
  return {std::max<int64_t>(start, 0), std::min(end, in), padded};
}

}  // namespace

void ReferenceBackend::max_pool_forward(const KernelArg& out, const KernelArg& indices,
                                        const KernelArg& x, const PoolParams& p) {
  Spatial3 in = spatial3(x, "max_pool_forward"), os = spatial3(out, "max_pool_forward");
  auto k = pad3(p.kernel, 1), s = pad3(p.stride, 1), pad = pad3(p.padding, 0), dil = pad3(p.dilation, 1);
  dispatch_floating(x.dtype, "max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    int64_t* idx = indices.ptr<int64_t>();
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3> op) {
      const T* xp = xs + plane * in.plane();
      T best = -std::numeric_limits<T>::infinity();
      int64_t best_index = -1;
      for (int64_t kd = 0; kd < k[0]; ++kd) {
        int64_t id = op[0] * s[0] - pad[0] + kd * dil[0];
        if (id < 0 || id >= in.size[0]) continue;
        for (int64_t kh = 0; kh < k[1]; ++kh) {
          int64_t ih = op[1] * s[1] - pad[1] + kh * dil[1];
          if (ih < 0 || ih >= in.size[1]) continue;
          for (int64_t kw = 0; kw < k[2]; ++kw) {
            int64_t iw = op[2] * s[2] - pad[2] + kw * dil[2];
            if (iw < 0 || iw >= in.size[2]) continue;
            int64_t flat = (id * in.size[1] + ih) * in.size[2] + iw;
            T v = xp[flat];
            if (best_index < 0 || v > best || std::isnan(v)) {
              best = v;
              best_index = flat;
            }
          }
        }
      }
      o[oi] = best;
      idx[oi] = best_index;
    });
  });
}

void ReferenceBackend::max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                         const KernelArg& indices) {
  Spatial3 in = spatial3(grad_x, "max_pool_backward"), os = spatial3(grad_out, "max_pool_backward");
  dispatch_floating(grad_x.dtype, "max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    T* gx = grad_x.ptr<T>();
    const T* go = grad_out.ptr<T>();
    const int64_t* idx = indices.ptr<int64_t>();
    std::fill(gx, gx + grad_x.numel(), T(0));
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3>) {
      if (idx[oi] >= 0) gx[plane * in.plane() + idx[oi]] += go[oi];
    });
  });
}

namespace {

// Calls fn(flat_input_index) for each input in the window and returns the divisor.
template <typename Fn>
int64_t for_each_in_avg_window(const Spatial3& in, const std::array<int64_t, 3>& op,
                               const PoolParams& p, Fn&& fn) {
  auto k = pad3(p.kernel, 1), s = pad3(p.stride, 1), pad = pad3(p.padding, 0);
  AvgWindow w[3];
  for (int d = 0; d < 3; ++d) w[d] = avg_window(op[d], in.size[d], k[d], s[d], pad[d]);
  for (int64_t id = w[0].start; id < w[0].end; ++id)
    for (int64_t ih = w[1].start; ih < w[1].end; ++ih)
      for (int64_t iw = w[2].start; iw < w[2].end; ++iw) fn((id * in.size[1] + ih) * in.size[2] + iw);
  if (p.count_include_pad) return w[0].padded_size * w[1].padded_size * w[2].padded_size;
  return (w[0].end - w[0].start) * (w[1].end - w[1].start) * (w[2].end - w[2].start);
}

}  // namespace

void ReferenceBackend::avg_pool_forward(const KernelArg& out, const KernelArg& x,
                                        const PoolParams& p) {
  Spatial3 in = spatial3(x, "avg_pool_forward"), os = spatial3(out, "avg_pool_forward");
  dispatch_floating(x.dtype, "avg_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3> op) {
      double sum = 0.0;
      int64_t divisor = for_each_in_avg_window(in, op, p, [&](int64_t flat) {
        sum += static_cast<double>(xs[plane * in.plane() + flat]);
      });
      o[oi] = static_cast<T>(divisor > 0 ? sum / static_cast<double>(divisor) : 0.0);
    });
  });
}

void ReferenceBackend::avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                         const PoolParams& p) {
  Spatial3 in = spatial3(grad_x, "avg_pool_backward"), os = spatial3(grad_out, "avg_pool_backward");
  dispatch_floating(grad_x.dtype, "avg_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(grad_x.numel(), 0.0);
    const T* go = grad_out.ptr<T>();
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3> op) {
      std::vector<int64_t> members;
      int64_t divisor = for_each_in_avg_window(in, op, p, [&](int64_t flat) { members.push_back(flat); });
      if (divisor == 0) return;
      double share = static_cast<double>(go[oi]) / static_cast<double>(divisor);
      for (int64_t flat : members) acc[plane * in.plane() + flat] += share;
    });
    T* gx = grad_x.ptr<T>();
    for (size_t i = 0; i < acc.size(); ++i) gx[i] = static_cast<T>(acc[i]);
  });
}

namespace {

int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

template <typename Fn>
int64_t for_each_in_adaptive_window(const Spatial3& in, const Spatial3& os,
                                    const std::array<int64_t, 3>& op, Fn&& fn) {
  int64_t lo[3], hi[3];
  for (int d = 0; d < 3; ++d) {
    lo[d] = adaptive_start(op[d], in.size[d], os.size[d]);
    hi[d] = adaptive_end(op[d], in.size[d], os.size[d]);
  }
  for (int64_t id = lo[0]; id < hi[0]; ++id)
    for (int64_t ih = lo[1]; ih < hi[1]; ++ih)
      for (int64_t iw = lo[2]; iw < hi[2]; ++iw) fn((id * in.size[1] + ih) * in.size[2] + iw);
  return (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
}

}  // namespace

void ReferenceBackend::adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) {
  Spatial3 in = spatial3(x, "adaptive_avg_pool_forward"), os = spatial3(out, "adaptive_avg_pool_forward");
  dispatch_floating(x.dtype, "adaptive_avg_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    T* o = out.ptr<T>();
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3> op) {
      double sum = 0.0;
      int64_t count = for_each_in_adaptive_window(in, os, op, [&](int64_t flat) {
        sum += static_cast<double>(xs[plane * in.plane() + flat]);
      });
      o[oi] = static_cast<T>(sum / static_cast<double>(count));
    });
  });
}

void ReferenceBackend::adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) {
  Spatial3 in = spatial3(grad_x, "adaptive_avg_pool_backward"), os = spatial3(grad_out, "adaptive_avg_pool_backward");
  dispatch_floating(grad_x.dtype, "adaptive_avg_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(grad_x.numel(), 0.0);
    const T* go = grad_out.ptr<T>();
    for_each_output(os, [&](int64_t plane, int64_t oi, std::array<int64_t, 3> op) {
      std::vector<int64_t> members;
      int64_t count = for_each_in_adaptive_window(in, os, op, [&](int64_t flat) { members.push_back(flat); });
      double share = static_cast<double>(go[oi]) / static_cast<double>(count);
      for (int64_t flat : members) acc[plane * in.plane() + flat] += share;
    });
    T* gx = grad_x.ptr<T>();
    for (size_t i = 0; i < acc.size(); ++i) gx[i] = static_cast<T>(acc[i]);
  });
}

}  // namespace gaze
