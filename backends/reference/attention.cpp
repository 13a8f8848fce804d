// Fused attention, the oracle: one query row at a time, in double. It holds one row of scores
// (Nk values), never the [Nq, Nk] map, so it can check the fast kernels at sizes where the map
// would not fit.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/attention_dims.h"
#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
namespace {

// scores[j] = scale · q_i·k_j for one query row; returns the row's log-sum-exp.
template <typename T>
double score_row(const T* q_row, const T* k, int64_t keys, int64_t channels, double scale, std::vector<double>& scores) {
  double max = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < keys; ++j) {
    double s = 0.0;
    for (int64_t c = 0; c < channels; ++c) s += static_cast<double>(q_row[c]) * static_cast<double>(k[j * channels + c]);
    scores[j] = scale * s;
    max = std::max(max, scores[j]);
  }
  double sum = 0.0;
  for (int64_t j = 0; j < keys; ++j) sum += std::exp(scores[j] - max);
  return max + std::log(sum);
}

}  // namespace

void ReferenceBackend::attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                                         const KernelArg& k, const KernelArg& v, double scale) {
  auto d = reference::attention_dims("reference attention_forward", out, lse, q, k, v);
  reference::dispatch_floating(q.dtype, "attention_forward", [&](auto zero) {
    using T = decltype(zero);
    std::vector<double> scores(d.keys), row(d.value_channels);
    for (int64_t b = 0; b < d.batch; ++b) {
      const T* kb = k.ptr<T>() + b * d.keys * d.key_channels;
      const T* vb = v.ptr<T>() + b * d.keys * d.value_channels;
      for (int64_t i = 0; i < d.queries; ++i) {
        const T* qi = q.ptr<T>() + (b * d.queries + i) * d.key_channels;
        double row_lse = score_row(qi, kb, d.keys, d.key_channels, scale, scores);
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t j = 0; j < d.keys; ++j) {
          double p = std::exp(scores[j] - row_lse);
          for (int64_t c = 0; c < d.value_channels; ++c) row[c] += p * static_cast<double>(vb[j * d.value_channels + c]);
        }
        T* oi = out.ptr<T>() + (b * d.queries + i) * d.value_channels;
        for (int64_t c = 0; c < d.value_channels; ++c) oi[c] = static_cast<T>(row[c]);
        lse.ptr<T>()[b * d.queries + i] = static_cast<T>(row_lse);
      }
    }
  });
}

// dV = Pᵀ dO, dP = dO Vᵀ, dS = P ∘ (dP − D) with D_i = dO_i·O_i, dQ = scale dS K, dK = scale dSᵀ Q,
// P recomputed row by row from the saved log-sum-exp.
void ReferenceBackend::attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                                          const KernelArg& grad_out, const KernelArg& q, const KernelArg& k,
                                          const KernelArg& v, const KernelArg& out, const KernelArg& lse, double scale) {
  auto d = reference::attention_backward_dims("reference attention_backward", grad_q, grad_k, grad_v, grad_out, q, k,
                                              v, out, lse);
  reference::dispatch_floating(q.dtype, "attention_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t ck = d.key_channels, cv = d.value_channels;
    std::vector<double> scores(d.keys), gq(ck), gk(d.keys * ck), gv(d.keys * cv);
    for (int64_t b = 0; b < d.batch; ++b) {
      const T* kb = k.ptr<T>() + b * d.keys * ck;
      const T* vb = v.ptr<T>() + b * d.keys * cv;
      std::fill(gk.begin(), gk.end(), 0.0);
      std::fill(gv.begin(), gv.end(), 0.0);
      for (int64_t i = 0; i < d.queries; ++i) {
        const T* qi = q.ptr<T>() + (b * d.queries + i) * ck;
        const T* oi = out.ptr<T>() + (b * d.queries + i) * cv;
        const T* goi = grad_out.ptr<T>() + (b * d.queries + i) * cv;
        double row_lse = static_cast<double>(lse.ptr<T>()[b * d.queries + i]);
        score_row(qi, kb, d.keys, ck, scale, scores);
        double di = 0.0;
        for (int64_t c = 0; c < cv; ++c) di += static_cast<double>(goi[c]) * static_cast<double>(oi[c]);
        std::fill(gq.begin(), gq.end(), 0.0);
        for (int64_t j = 0; j < d.keys; ++j) {
          double p = std::exp(scores[j] - row_lse);
          double dp = 0.0;
          for (int64_t c = 0; c < cv; ++c) {
            gv[j * cv + c] += p * static_cast<double>(goi[c]);
            dp += static_cast<double>(goi[c]) * static_cast<double>(vb[j * cv + c]);
          }
          double ds = scale * p * (dp - di);
          for (int64_t c = 0; c < ck; ++c) {
            gq[c] += ds * static_cast<double>(kb[j * ck + c]);
            gk[j * ck + c] += ds * static_cast<double>(qi[c]);
          }
        }
        T* gqi = grad_q.ptr<T>() + (b * d.queries + i) * ck;
        for (int64_t c = 0; c < ck; ++c) gqi[c] = static_cast<T>(gq[c]);
      }
      T* gkb = grad_k.ptr<T>() + b * d.keys * ck;
      T* gvb = grad_v.ptr<T>() + b * d.keys * cv;
      for (int64_t x = 0; x < d.keys * ck; ++x) gkb[x] = static_cast<T>(gk[x]);
      for (int64_t x = 0; x < d.keys * cv; ++x) gvb[x] = static_cast<T>(gv[x]);
    }
  });
}

}  // namespace gaze
