// Fused attention, the oracle: one query row at a time, in double. It holds one row of scores
// (Nk values), never the [Nq, Nk] map, so it can check the fast kernels at sizes where the map
// would not fit. Operands are contiguous or channel-major, read through their strides.
#include <cmath>
#include <limits>
#include <vector>

#include "backends/reference/attention_dims.h"
#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
namespace {

// Element (b, i, c) of a [B, N, C] operand through its strides: contiguous or channel-major alike.
template <typename T>
struct AttentionOperand {
  T* p;
  int64_t batch_stride, row_stride, channel_stride;
  explicit AttentionOperand(const KernelArg& a)
      : p(a.ptr<T>()), batch_stride(a.strides[0]), row_stride(a.strides[1]), channel_stride(a.strides[2]) {}
  T& at(int64_t b, int64_t i, int64_t c) const { return p[b * batch_stride + i * row_stride + c * channel_stride]; }
};

// scores[j] = scale · q_i·k_j for one query row; returns the row's log-sum-exp.
template <typename T>
double score_row(const AttentionOperand<T>& q, const AttentionOperand<T>& k, int64_t b, int64_t i, int64_t keys,
                 int64_t channels, double scale, std::vector<double>& scores) {
  double max = -std::numeric_limits<double>::infinity();
  for (int64_t j = 0; j < keys; ++j) {
    double s = 0.0;
    for (int64_t c = 0; c < channels; ++c) s += static_cast<double>(q.at(b, i, c)) * static_cast<double>(k.at(b, j, c));
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
  auto d = reference::attention_dims("reference attention_forward", out, lse, q, k, v, true);
  reference::dispatch_floating(q.dtype, "attention_forward", [&](auto zero) {
    using T = decltype(zero);
    AttentionOperand<T> qa(q), ka(k), va(v), oa(out);
    std::vector<double> scores(d.keys), row(d.value_channels);
    for (int64_t b = 0; b < d.batch; ++b) {
      for (int64_t i = 0; i < d.queries; ++i) {
        double row_lse = score_row(qa, ka, b, i, d.keys, d.key_channels, scale, scores);
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t j = 0; j < d.keys; ++j) {
          double p = std::exp(scores[j] - row_lse);
          for (int64_t c = 0; c < d.value_channels; ++c) row[c] += p * static_cast<double>(va.at(b, j, c));
        }
        for (int64_t c = 0; c < d.value_channels; ++c) oa.at(b, i, c) = static_cast<T>(row[c]);
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
                                              v, out, lse, true);
  reference::dispatch_floating(q.dtype, "attention_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t ck = d.key_channels, cv = d.value_channels;
    AttentionOperand<T> qa(q), ka(k), va(v), oa(out), goa(grad_out), gqa(grad_q), gka(grad_k), gva(grad_v);
    std::vector<double> scores(d.keys), gq(ck), gk(d.keys * ck), gv(d.keys * cv);
    for (int64_t b = 0; b < d.batch; ++b) {
      std::fill(gk.begin(), gk.end(), 0.0);
      std::fill(gv.begin(), gv.end(), 0.0);
      for (int64_t i = 0; i < d.queries; ++i) {
        double row_lse = static_cast<double>(lse.ptr<T>()[b * d.queries + i]);
        score_row(qa, ka, b, i, d.keys, ck, scale, scores);
        double di = 0.0;
        for (int64_t c = 0; c < cv; ++c) di += static_cast<double>(goa.at(b, i, c)) * static_cast<double>(oa.at(b, i, c));
        std::fill(gq.begin(), gq.end(), 0.0);
        for (int64_t j = 0; j < d.keys; ++j) {
          double p = std::exp(scores[j] - row_lse);
          double dp = 0.0;
          for (int64_t c = 0; c < cv; ++c) {
            gv[j * cv + c] += p * static_cast<double>(goa.at(b, i, c));
            dp += static_cast<double>(goa.at(b, i, c)) * static_cast<double>(va.at(b, j, c));
          }
          double ds = scale * p * (dp - di);
          for (int64_t c = 0; c < ck; ++c) {
            gq[c] += ds * static_cast<double>(ka.at(b, j, c));
            gk[j * ck + c] += ds * static_cast<double>(qa.at(b, i, c));
          }
        }
        for (int64_t c = 0; c < ck; ++c) gqa.at(b, i, c) = static_cast<T>(gq[c]);
      }
      for (int64_t j = 0; j < d.keys; ++j) {
        for (int64_t c = 0; c < ck; ++c) gka.at(b, j, c) = static_cast<T>(gk[j * ck + c]);
        for (int64_t c = 0; c < cv; ++c) gva.at(b, j, c) = static_cast<T>(gv[j * cv + c]);
      }
    }
  });
}

}  // namespace gaze
