// Concatenation attention, the oracle: every (query, key) pair in double, one query at a time,
// so it holds a row of C sums and never the [Nq, Nk] map. O(Nq·Nk·C); the fast backends use an
// exact sorted form and are checked against this.
#include <vector>

#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"
#include "backends/reference/relu_pair_dims.h"

namespace gaze {

void ReferenceBackend::relu_pair_forward(const KernelArg& out, const KernelArg& a, const KernelArg& k,
                                         const KernelArg& v, double scale) {
  auto d = reference::relu_pair_dims("reference relu_pair_forward", out, a, k, v);
  reference::dispatch_floating(a.dtype, "relu_pair_forward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t c = d.channels;
    std::vector<double> row(c);
    for (int64_t b = 0; b < d.batch; ++b) {
      const T* kb = k.ptr<T>() + b * d.keys;
      const T* vb = v.ptr<T>() + b * d.keys * c;
      for (int64_t i = 0; i < d.queries; ++i) {
        const double ai = static_cast<double>(a.ptr<T>()[b * d.queries + i]);
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t j = 0; j < d.keys; ++j) {
          double w = ai + static_cast<double>(kb[j]);
          if (w <= 0.0) continue;
          for (int64_t x = 0; x < c; ++x) row[x] += w * static_cast<double>(vb[j * c + x]);
        }
        T* oi = out.ptr<T>() + (b * d.queries + i) * c;
        for (int64_t x = 0; x < c; ++x) oi[x] = static_cast<T>(scale * row[x]);
      }
    }
  });
}

// With w_ij = a_i + k_j and dO_i the output gradient: dV_j = scale Σ_i ReLU(w_ij) dO_i, and where
// w_ij > 0, dA_i and dK_j both gain scale · v_j·dO_i.
void ReferenceBackend::relu_pair_backward(const KernelArg& grad_a, const KernelArg& grad_k, const KernelArg& grad_v,
                                          const KernelArg& grad_out, const KernelArg& a, const KernelArg& k,
                                          const KernelArg& v, double scale) {
  auto d = reference::relu_pair_backward_dims("reference relu_pair_backward", grad_a, grad_k, grad_v, grad_out, a, k, v);
  reference::dispatch_floating(a.dtype, "relu_pair_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t c = d.channels;
    std::vector<double> gk(d.keys), gv(d.keys * c);
    for (int64_t b = 0; b < d.batch; ++b) {
      const T* kb = k.ptr<T>() + b * d.keys;
      const T* vb = v.ptr<T>() + b * d.keys * c;
      std::fill(gk.begin(), gk.end(), 0.0);
      std::fill(gv.begin(), gv.end(), 0.0);
      for (int64_t i = 0; i < d.queries; ++i) {
        const double ai = static_cast<double>(a.ptr<T>()[b * d.queries + i]);
        const T* goi = grad_out.ptr<T>() + (b * d.queries + i) * c;
        double ga = 0.0;
        for (int64_t j = 0; j < d.keys; ++j) {
          double w = ai + static_cast<double>(kb[j]);
          if (w <= 0.0) continue;
          double dot = 0.0;
          for (int64_t x = 0; x < c; ++x) {
            dot += static_cast<double>(vb[j * c + x]) * static_cast<double>(goi[x]);
            gv[j * c + x] += w * static_cast<double>(goi[x]);
          }
          ga += dot;
          gk[j] += dot;
        }
        grad_a.ptr<T>()[b * d.queries + i] = static_cast<T>(scale * ga);
      }
      for (int64_t j = 0; j < d.keys; ++j) grad_k.ptr<T>()[b * d.keys + j] = static_cast<T>(scale * gk[j]);
      for (int64_t x = 0; x < d.keys * c; ++x) grad_v.ptr<T>()[b * d.keys * c + x] = static_cast<T>(scale * gv[x]);
    }
  });
}

}  // namespace gaze
