#include "trainers/lib/metrics/retrieval_metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "framework/error.h"

namespace gaze {

namespace {

void check_features(const char* caller, const char* what, const Tensor& features, size_t ids, size_t cameras) {
  if (!features.defined() || features.dim() != 2)
    fail("{}: {} features must be [rows, D] (got {})", caller, what, features.defined() ? shape_str(features.shape()) : "undefined");
  if (static_cast<size_t>(features.size(0)) != ids || static_cast<size_t>(features.size(0)) != cameras)
    fail("{}: {} {} features with {} ids and {} cameras; give one id and one camera per row", caller, features.size(0), what,
         ids, cameras);
}

// All gallery indices of one query nearest first (stable: ties keep index order), without those
// of the query's id seen by the query's camera.
std::vector<int64_t> valid_ranking(const std::vector<double>& distances, int64_t query_id, int64_t query_camera,
                                   const std::vector<int64_t>& gallery_ids, const std::vector<int64_t>& gallery_cameras) {
  std::vector<int64_t> order(distances.size());
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return distances[a] < distances[b]; });
  std::erase_if(order, [&](int64_t g) { return gallery_ids[g] == query_id && gallery_cameras[g] == query_camera; });
  return order;
}

}  // namespace

std::vector<std::vector<double>> euclidean_distances(const Tensor& a, const Tensor& b) {
  if (a.dim() != 2 || b.dim() != 2 || a.size(1) != b.size(1))
    fail("euclidean_distances: expected [Q, D] and [G, D], got {} and {}", shape_str(a.shape()), shape_str(b.shape()));
  const std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();  // GPU tensors are copied here
  const int64_t rows = a.size(0), columns = b.size(0), depth = a.size(1);
  std::vector<std::vector<double>> distances(rows, std::vector<double>(columns));
  for (int64_t q = 0; q < rows; ++q)
    for (int64_t g = 0; g < columns; ++g) {
      double sum = 0;
      for (int64_t d = 0; d < depth; ++d) {
        const double diff = x[q * depth + d] - y[g * depth + d];
        sum += diff * diff;
      }
      distances[q][g] = std::sqrt(sum);
    }
  return distances;
}

std::vector<std::vector<int64_t>> ranked_gallery(const Tensor& query_features, const std::vector<int64_t>& query_ids,
                                                 const std::vector<int64_t>& query_cameras, const Tensor& gallery_features,
                                                 const std::vector<int64_t>& gallery_ids, const std::vector<int64_t>& gallery_cameras,
                                                 int64_t top_k) {
  check_features("ranked_gallery", "query", query_features, query_ids.size(), query_cameras.size());
  check_features("ranked_gallery", "gallery", gallery_features, gallery_ids.size(), gallery_cameras.size());
  const auto distances = euclidean_distances(query_features, gallery_features);
  std::vector<std::vector<int64_t>> ranked;
  for (size_t q = 0; q < query_ids.size(); ++q) {
    std::vector<int64_t> order = valid_ranking(distances[q], query_ids[q], query_cameras[q], gallery_ids, gallery_cameras);
    if (top_k > 0 && static_cast<int64_t>(order.size()) > top_k) order.resize(top_k);
    ranked.push_back(std::move(order));
  }
  return ranked;
}

RetrievalResult evaluate_retrieval(const Tensor& query_features, const std::vector<int64_t>& query_ids,
                                   const std::vector<int64_t>& query_cameras, const Tensor& gallery_features,
                                   const std::vector<int64_t>& gallery_ids, const std::vector<int64_t>& gallery_cameras,
                                   int64_t max_rank) {
  if (max_rank < 1) fail("evaluate_retrieval: max_rank must be at least 1 (got {})", max_rank);
  check_features("evaluate_retrieval", "query", query_features, query_ids.size(), query_cameras.size());
  check_features("evaluate_retrieval", "gallery", gallery_features, gallery_ids.size(), gallery_cameras.size());
  const auto distances = euclidean_distances(query_features, gallery_features);

  RetrievalResult result;
  std::vector<int64_t> first_match_counts(max_rank, 0);  // queries whose first true match is at rank r + 1
  double ap_sum = 0;
  for (size_t q = 0; q < query_ids.size(); ++q) {
    const std::vector<int64_t> order = valid_ranking(distances[q], query_ids[q], query_cameras[q], gallery_ids, gallery_cameras);
    int64_t matches = 0, first = -1;
    double precision_sum = 0;
    for (size_t r = 0; r < order.size(); ++r) {
      if (gallery_ids[order[r]] != query_ids[q]) continue;
      ++matches;
      if (first < 0) first = static_cast<int64_t>(r);
      precision_sum += static_cast<double>(matches) / static_cast<double>(r + 1);
    }
    if (matches == 0) {
      ++result.skipped_queries;
      continue;
    }
    ++result.queries;
    if (first < max_rank) ++first_match_counts[first];
    ap_sum += precision_sum / matches;
  }
  if (result.queries == 0)
    fail("evaluate_retrieval: none of the {} queries has a true match in the gallery outside its own camera; the query identities "
         "must also appear in the gallery, seen by another camera",
         query_ids.size());
  int64_t cumulative = 0;
  for (int64_t k = 0; k < max_rank; ++k) {
    cumulative += first_match_counts[k];
    result.cmc.push_back(static_cast<double>(cumulative) / result.queries);
  }
  result.map = ap_sum / result.queries;
  return result;
}

}  // namespace gaze
