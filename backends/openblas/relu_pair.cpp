// Concatenation attention on the CPU, exact and without the [Nq, Nk] map, in O(N log N + N·C)
// instead of the pairs' O(Nq·Nk·C):
//
//   Σ_j ReLU(a_i + k_j) v_j = Σ_{j : k_j > −a_i} (a_i + k_j) v_j = a_i · S(m_i) + W(m_i)
//
// with the keys sorted by k descending, S(m) and W(m) the sums of v_j and k_j·v_j over the first
// m of them, and m_i the number of keys with k_j > −a_i (a binary search). The backward is the
// same trick twice: dA_i = dO_i · S(m_i); sorting the queries by a, with D(m) and E(m) the sums
// of dO_i and a_i·dO_i over the first m, dV_j = E(m_j) + k_j · D(m_j) and dK_j = v_j · D(m_j),
// m_j the number of queries with a_i > −k_j. a_i + k_j > 0 exactly when k_j > −a_i, so the
// pairs counted are the reference's. The prefix sums are in double: a_i · S and W can be large
// and of opposite signs while their sum is small.
//
// Memory: two [N + 1, C] double prefix arrays and a sort order per batch item. Threads share the
// queries (forward) or keys (backward) of one batch item; the sort and sums are serial, O(N·C).
#include <algorithm>
#include <numeric>
#include <vector>

#include "backends/openblas/openblas_backend.h"
#include "backends/reference/loops.h"
#include "backends/reference/relu_pair_dims.h"

namespace gaze {
namespace {

// One side's scalars sorted descending, with the prefix sums of its vectors: sum[m] and
// weighted[m] ([C] rows) are Σ vec and Σ scalar·vec over the first m in that order.
struct SortedPairSums {
  std::vector<double> scalars;
  std::vector<double> sum, weighted;
  int64_t channels = 0;

  // How many scalars exceed `threshold`: the first ones in the descending order.
  int64_t count_above(double threshold) const {
    return std::partition_point(scalars.begin(), scalars.end(), [&](double s) { return s > threshold; }) -
           scalars.begin();
  }
  const double* sum_row(int64_t m) const { return sum.data() + m * channels; }
  const double* weighted_row(int64_t m) const { return weighted.data() + m * channels; }
};

template <typename T>
SortedPairSums sorted_pair_sums(const T* scalar, const T* vec, int64_t n, int64_t channels) {
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return scalar[x] > scalar[y]; });
  SortedPairSums s;
  s.channels = channels;
  s.scalars.resize(n);
  s.sum.assign((n + 1) * channels, 0.0);
  s.weighted.assign((n + 1) * channels, 0.0);
  for (int64_t t = 0; t < n; ++t) {
    const double w = static_cast<double>(scalar[order[t]]);
    s.scalars[t] = w;
    const T* row = vec + order[t] * channels;
    const double* sum_in = s.sum.data() + t * channels;
    const double* weighted_in = s.weighted.data() + t * channels;
    double* sum_out = s.sum.data() + (t + 1) * channels;
    double* weighted_out = s.weighted.data() + (t + 1) * channels;
    for (int64_t x = 0; x < channels; ++x) {
      const double value = static_cast<double>(row[x]);
      sum_out[x] = sum_in[x] + value;
      weighted_out[x] = weighted_in[x] + w * value;
    }
  }
  return s;
}

}  // namespace

void OpenblasBackend::relu_pair_forward(const KernelArg& out, const KernelArg& a, const KernelArg& k,
                                        const KernelArg& v, double scale) {
  auto d = reference::relu_pair_dims("openblas relu_pair_forward", out, a, k, v);
  reference::dispatch_floating(a.dtype, "relu_pair_forward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t c = d.channels;
    for (int64_t b = 0; b < d.batch; ++b) {
      const SortedPairSums keys = sorted_pair_sums(k.ptr<T>() + b * d.keys, v.ptr<T>() + b * d.keys * c, d.keys, c);
      const T* ab = a.ptr<T>() + b * d.queries;
      T* ob = out.ptr<T>() + b * d.queries * c;
#pragma omp parallel for schedule(static)
      for (int64_t i = 0; i < d.queries; ++i) {
        const double ai = static_cast<double>(ab[i]);
        const int64_t m = keys.count_above(-ai);
        const double* s = keys.sum_row(m);
        const double* w = keys.weighted_row(m);
        for (int64_t x = 0; x < c; ++x) ob[i * c + x] = static_cast<T>(scale * (ai * s[x] + w[x]));
      }
    }
  });
}

void OpenblasBackend::relu_pair_backward(const KernelArg& grad_a, const KernelArg& grad_k, const KernelArg& grad_v,
                                         const KernelArg& grad_out, const KernelArg& a, const KernelArg& k,
                                         const KernelArg& v, double scale) {
  auto d = reference::relu_pair_backward_dims("openblas relu_pair_backward", grad_a, grad_k, grad_v, grad_out, a, k, v);
  reference::dispatch_floating(a.dtype, "relu_pair_backward", [&](auto zero) {
    using T = decltype(zero);
    const int64_t c = d.channels;
    for (int64_t b = 0; b < d.batch; ++b) {
      const T* ab = a.ptr<T>() + b * d.queries;
      const T* kb = k.ptr<T>() + b * d.keys;
      const T* vb = v.ptr<T>() + b * d.keys * c;
      const T* gob = grad_out.ptr<T>() + b * d.queries * c;
      {
        const SortedPairSums keys = sorted_pair_sums(kb, vb, d.keys, c);
        T* gab = grad_a.ptr<T>() + b * d.queries;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < d.queries; ++i) {
          const double* s = keys.sum_row(keys.count_above(-static_cast<double>(ab[i])));
          double dot = 0.0;
          for (int64_t x = 0; x < c; ++x) dot += static_cast<double>(gob[i * c + x]) * s[x];
          gab[i] = static_cast<T>(scale * dot);
        }
      }
      const SortedPairSums queries = sorted_pair_sums(ab, gob, d.queries, c);
      T* gkb = grad_k.ptr<T>() + b * d.keys;
      T* gvb = grad_v.ptr<T>() + b * d.keys * c;
#pragma omp parallel for schedule(static)
      for (int64_t j = 0; j < d.keys; ++j) {
        const double kj = static_cast<double>(kb[j]);
        const int64_t m = queries.count_above(-kj);
        const double* s = queries.sum_row(m);
        const double* w = queries.weighted_row(m);
        double dot = 0.0;
        for (int64_t x = 0; x < c; ++x) {
          dot += static_cast<double>(vb[j * c + x]) * s[x];
          gvb[j * c + x] = static_cast<T>(scale * (w[x] + kj * s[x]));
        }
        gkb[j] = static_cast<T>(scale * dot);
      }
    }
  });
}

}  // namespace gaze
