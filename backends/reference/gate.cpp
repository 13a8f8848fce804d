// The gating kernels, the oracle: one element at a time, sums in double. Each element x[n,c,l]
// meets the gate (or descriptor) entry small_at(n, c, l) of the small operand.
#include <cmath>
#include <vector>

#include "backends/reference/gate_dims.h"
#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
namespace {

// Element offset of the small operand's entry for x[n,c,l].
int64_t gate_entry_offset(const reference::GateDims& d, const KernelArg& small, int64_t n, int64_t c, int64_t l) {
  return n * small.strides[0] + (d.per_channel ? c * small.strides[1] : l * small.strides[2]);
}

// Visits every x[n,c,l] as fn(n, c, l, flat offset in x).
template <typename Fn>
void for_each_gated(const reference::GateDims& d, Fn&& fn) {
  for (int64_t n = 0; n < d.batch; ++n)
    for (int64_t c = 0; c < d.channels; ++c)
      for (int64_t l = 0; l < d.length; ++l) fn(n, c, l, (n * d.channels + c) * d.length + l);
}

}  // namespace

void ReferenceBackend::gate_multiply_forward(const KernelArg& out, const KernelArg& x, const KernelArg& gate) {
  const char* who = "reference gate_multiply_forward";
  auto d = reference::gate_dims(who, x, gate);
  reference::check_like(who, "out", out, x, true);
  reference::dispatch_floating(x.dtype, "gate_multiply_forward", [&](auto zero) {
    using T = decltype(zero);
    const T *xs = x.ptr<T>(), *g = gate.ptr<T>();
    T* o = out.ptr<T>();
    for_each_gated(d, [&](int64_t n, int64_t c, int64_t l, int64_t i) { o[i] = xs[i] * g[gate_entry_offset(d, gate, n, c, l)]; });
  });
}

void ReferenceBackend::gate_multiply_backward(const KernelArg& grad_x, const KernelArg& grad_gate, const KernelArg& grad_out,
                                              const KernelArg& x, const KernelArg& gate) {
  const char* who = "reference gate_multiply_backward";
  auto d = reference::gate_dims(who, x, gate);
  reference::check_like(who, "grad_x", grad_x, x, true);
  reference::check_like(who, "grad_out", grad_out, x, false);
  reference::check_like(who, "grad_gate", grad_gate, gate, false);
  reference::dispatch_floating(x.dtype, "gate_multiply_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *xs = x.ptr<T>(), *g = gate.ptr<T>(), *go = grad_out.ptr<T>();
    T *gx = grad_x.ptr<T>(), *gg = grad_gate.ptr<T>();
    std::vector<double> sums(d.batch * d.small_size(), 0.0);
    auto sum_at = [&](int64_t n, int64_t c, int64_t l) -> double& { return sums[n * d.small_size() + (d.per_channel ? c : l)]; };
    for_each_gated(d, [&](int64_t n, int64_t c, int64_t l, int64_t i) {
      T gov = go[n * grad_out.strides[0] + c * grad_out.strides[1] + l * grad_out.strides[2]];
      gx[i] = gov * g[gate_entry_offset(d, gate, n, c, l)];
      sum_at(n, c, l) += static_cast<double>(gov) * static_cast<double>(xs[i]);
    });
    for (int64_t n = 0; n < d.batch; ++n)
      for (int64_t s = 0; s < d.small_size(); ++s)
        gg[gate_entry_offset(d, grad_gate, n, s, s)] = static_cast<T>(sums[n * d.small_size() + s]);
  });
}

void ReferenceBackend::mean_max_pool_forward(const KernelArg& mean, const KernelArg& max, const KernelArg& x) {
  const char* who = "reference mean_max_pool_forward";
  auto d = reference::gate_dims(who, x, mean);
  reference::check_like(who, "max", max, mean, false);
  if (d.reduced() == 0) fail("{}: nothing to pool over in x {}", who, shape_str(x.shape));
  reference::dispatch_floating(x.dtype, "mean_max_pool_forward", [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.ptr<T>();
    std::vector<double> sums(d.batch * d.small_size(), 0.0);
    std::vector<T> maxes(d.batch * d.small_size());
    std::vector<bool> seen(maxes.size(), false);
    for_each_gated(d, [&](int64_t n, int64_t c, int64_t l, int64_t i) {
      int64_t s = n * d.small_size() + (d.per_channel ? c : l);
      sums[s] += static_cast<double>(xs[i]);
      // A NaN wins and stays, as in the max reduction.
      if (!seen[s]) maxes[s] = xs[i];
      else if (!std::isnan(maxes[s]) && (xs[i] > maxes[s] || std::isnan(xs[i]))) maxes[s] = xs[i];
      seen[s] = true;
    });
    for (int64_t n = 0; n < d.batch; ++n)
      for (int64_t s = 0; s < d.small_size(); ++s) {
        mean.ptr<T>()[gate_entry_offset(d, mean, n, s, s)] = static_cast<T>(sums[n * d.small_size() + s] / static_cast<double>(d.reduced()));
        max.ptr<T>()[gate_entry_offset(d, max, n, s, s)] = maxes[n * d.small_size() + s];
      }
  });
}

void ReferenceBackend::mean_max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_mean, const KernelArg& grad_max,
                                              const KernelArg& x, const KernelArg& max) {
  const char* who = "reference mean_max_pool_backward";
  auto d = reference::gate_dims(who, x, max);
  reference::check_like(who, "grad_x", grad_x, x, true);
  reference::check_like(who, "grad_mean", grad_mean, max, false);
  reference::check_like(who, "grad_max", grad_max, max, false);
  reference::dispatch_floating(x.dtype, "mean_max_pool_backward", [&](auto zero) {
    using T = decltype(zero);
    const T *xs = x.ptr<T>(), *mx = max.ptr<T>(), *gm = grad_mean.ptr<T>(), *gmax = grad_max.ptr<T>();
    T* gx = grad_x.ptr<T>();
    std::vector<int64_t> ties(d.batch * d.small_size(), 0);
    for_each_gated(d, [&](int64_t n, int64_t c, int64_t l, int64_t i) {
      if (xs[i] == mx[gate_entry_offset(d, max, n, c, l)]) ++ties[n * d.small_size() + (d.per_channel ? c : l)];
    });
    const T count = static_cast<T>(d.reduced());
    for_each_gated(d, [&](int64_t n, int64_t c, int64_t l, int64_t i) {
      T from_mean = gm[gate_entry_offset(d, grad_mean, n, c, l)] / count;
      bool hit = xs[i] == mx[gate_entry_offset(d, max, n, c, l)];
      T share = static_cast<T>(ties[n * d.small_size() + (d.per_channel ? c : l)]);
      gx[i] = hit ? from_mean + gmax[gate_entry_offset(d, grad_max, n, c, l)] / share : from_mean;
    });
  });
}

}  // namespace gaze
