// Reference convolution: direct loops over (N, O, output position, C/groups, kernel position),
// 1D and 2D handled as 3D with unit leading dims. Accumulates in double.
#include <vector>

#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

namespace {

// Calls fn(x_index, w_index, out_index) for every product term of the convolution.
template <typename Fn>
void for_each_term(const ConvGeometry& g, Fn&& fn) {
  const auto& is = g.in.size;
  const auto& os = g.out.size;
  for (int64_t n = 0; n < g.out.n; ++n)
    for (int64_t o = 0; o < g.out.c; ++o) {
      int64_t group = o / g.out_per_group;
      for (int64_t od = 0; od < os[0]; ++od)
        for (int64_t oh = 0; oh < os[1]; ++oh)
          for (int64_t ow = 0; ow < os[2]; ++ow) {
            int64_t out_index = (((n * g.out.c + o) * os[0] + od) * os[1] + oh) * os[2] + ow;
            for (int64_t c = 0; c < g.in_per_group; ++c) {
              int64_t ci = group * g.in_per_group + c;
              for (int64_t kd = 0; kd < g.k[0]; ++kd) {
                int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
                if (id < 0 || id >= is[0]) continue;
                for (int64_t kh = 0; kh < g.k[1]; ++kh) {
                  int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
                  if (ih < 0 || ih >= is[1]) continue;
                  for (int64_t kw = 0; kw < g.k[2]; ++kw) {
                    int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
                    if (iw < 0 || iw >= is[2]) continue;
                    int64_t x_index = (((n * g.in.c + ci) * is[0] + id) * is[1] + ih) * is[2] + iw;
                    int64_t w_index = (((o * g.in_per_group + c) * g.k[0] + kd) * g.k[1] + kh) * g.k[2] + kw;
                    fn(x_index, w_index, out_index);
                  }
                }
              }
            }
          }
    }
}

template <typename T>
void store(const KernelArg& dst, const std::vector<double>& acc) {
  T* d = dst.ptr<T>();
  for (size_t i = 0; i < acc.size(); ++i) d[i] = static_cast<T>(acc[i]);
}

}  // namespace

void ReferenceBackend::conv_forward(const KernelArg& out, const KernelArg& x,
                                    const KernelArg& weight, const ConvParams& p) {
  ConvGeometry g = conv_geometry(x, weight, out, p, "reference", "conv_forward");
  dispatch_floating(out.dtype, "conv_forward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(out.numel(), 0.0);
    const T* xs = x.ptr<T>();
    const T* ws = weight.ptr<T>();
    for_each_term(g, [&](int64_t xi, int64_t wi, int64_t oi) {
      acc[oi] += static_cast<double>(xs[xi]) * static_cast<double>(ws[wi]);
    });
    store<T>(out, acc);
  });
}

void ReferenceBackend::conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out,
                                          const KernelArg& weight, const ConvParams& p) {
  ConvGeometry g = conv_geometry(grad_x, weight, grad_out, p, "reference", "conv_backward_data");
  dispatch_floating(grad_x.dtype, "conv_backward_data", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(grad_x.numel(), 0.0);
    const T* go = grad_out.ptr<T>();
    const T* ws = weight.ptr<T>();
    for_each_term(g, [&](int64_t xi, int64_t wi, int64_t oi) {
      acc[xi] += static_cast<double>(go[oi]) * static_cast<double>(ws[wi]);
    });
    store<T>(grad_x, acc);
  });
}

void ReferenceBackend::conv_backward_weight(const KernelArg& grad_weight,
                                            const KernelArg& grad_out, const KernelArg& x,
                                            const ConvParams& p) {
  ConvGeometry g = conv_geometry(x, grad_weight, grad_out, p, "reference", "conv_backward_weight");
  dispatch_floating(grad_weight.dtype, "conv_backward_weight", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> acc(grad_weight.numel(), 0.0);
    const T* go = grad_out.ptr<T>();
    const T* xs = x.ptr<T>();
    for_each_term(g, [&](int64_t xi, int64_t wi, int64_t oi) {
      acc[wi] += static_cast<double>(go[oi]) * static_cast<double>(xs[xi]);
    });
    store<T>(grad_weight, acc);
  });
}

}  // namespace gaze
