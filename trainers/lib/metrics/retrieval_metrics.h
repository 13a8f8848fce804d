// Re-identification evaluation: query and gallery features ranked by Euclidean distance, scored
// by CMC and mAP under the Market-1501 / MARS protocol (torchreid's eval_market1501):
//   - for each query, the gallery entries with the query's id AND camera are removed (the same
//     person seen by the same camera is too easy a match, and for MARS often the same tracklet);
//   - a query with no remaining true match is skipped and counted in skipped_queries;
//   - CMC: rank-k accuracy is the share of queries whose first true match is among the k nearest;
//   - AP: the mean, over the query's true matches, of the precision at each match's rank.
// Ties in distance rank the lower gallery index first (a stable sort), so the result is the same
// on every machine; torchreid's np.argsort does not promise an order for ties.
#pragma once
#include <cstdint>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

struct RetrievalResult {
  std::vector<double> cmc;  // cmc[k-1]: rank-k accuracy in [0, 1], k = 1..max_rank
  double map = 0;           // mean average precision over the evaluated queries
  int64_t queries = 0;          // queries evaluated
  int64_t skipped_queries = 0;  // queries without any valid match in the gallery
};

// query_features [Q, D] and gallery_features [G, D], any float dtype and device (copied to the
// host; distances in f64). ids and cameras: one per row. Fails when every query is skipped (the
// query identities must appear in the gallery under another camera).
RetrievalResult evaluate_retrieval(const Tensor& query_features, const std::vector<int64_t>& query_ids,
                                   const std::vector<int64_t>& query_cameras, const Tensor& gallery_features,
                                   const std::vector<int64_t>& gallery_ids, const std::vector<int64_t>& gallery_cameras,
                                   int64_t max_rank = 10);

// Euclidean distances [Q][G] between the rows of a [Q, D] and b [G, D], computed directly (not
// through |a|² + |b|² - 2a·b, so equal distances come out exactly equal and tie-break by index).
std::vector<std::vector<double>> euclidean_distances(const Tensor& a, const Tensor& b);

// For each query, the gallery indices nearest first, with the query's same-id-same-camera entries
// removed as in evaluate_retrieval, cut to the first top_k (all when top_k <= 0): what the ranked
// list pictures show (write_ranked_lists_png).
std::vector<std::vector<int64_t>> ranked_gallery(const Tensor& query_features, const std::vector<int64_t>& query_ids,
                                                 const std::vector<int64_t>& query_cameras, const Tensor& gallery_features,
                                                 const std::vector<int64_t>& gallery_ids, const std::vector<int64_t>& gallery_cameras,
                                                 int64_t top_k);

}  // namespace gaze
