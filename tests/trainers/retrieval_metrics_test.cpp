// Re-ID retrieval metrics against hand-computed rankings (Market-1501 protocol).
#include "trainers/lib/metrics/retrieval_metrics.h"

#include "support/test_support.h"

using namespace gaze;

namespace {

// One-dimensional features, so distances are plain differences.
Tensor column(const std::vector<double>& values) { return from_vector(values, {static_cast<int64_t>(values.size()), 1}); }

// Gallery (feature, id, camera):
//   g0 (1, id 1, cam 0)  g1 (2, id 3, cam 1)  g2 (3, id 1, cam 1)  g3 (4, id 1, cam 2)  g4 (5, id 2, cam 0)
// Query 0 (0, id 1, cam 0): nearest first g0 g1 g2 g3 g4; g0 is id 1 in camera 0, removed. The rest:
//   g1 no, g2 yes, g3 yes, g4 no -> first match at rank 2; AP = (1/2 + 2/3) / 2 = 7/12 = 0.58333.
//   (Keeping g0 would give a rank-1 hit and AP (1 + 2/3 + 3/4) / 3.)
// Query 1 (10, id 2, cam 1): nearest first g4 (id 2, camera 0: kept, a match) -> rank 1, AP 1.
// Query 2 (-1, id 3, cam 1): its only gallery entry g1 is in its camera -> skipped.
// CMC: rank 1 = 1/2, rank 2.. = 1; mAP = (7/12 + 1) / 2 = 19/24.
const std::vector<double> kGallery = {1, 2, 3, 4, 5};
const std::vector<int64_t> kGalleryIds = {1, 3, 1, 1, 2}, kGalleryCameras = {0, 1, 1, 2, 0};

}  // namespace

TEST_CASE("retrieval: CMC and mAP of a hand-computed 2-query, 5-gallery case with same-camera exclusion") {
  RetrievalResult r = evaluate_retrieval(column({0, 10}), {1, 2}, {0, 1}, column(kGallery), kGalleryIds, kGalleryCameras, 5);
  REQUIRE(r.cmc.size() == 5);
  CHECK(r.cmc[0] == doctest::Approx(0.5));
  for (int k = 1; k < 5; ++k) CHECK(r.cmc[k] == doctest::Approx(1.0));
  CHECK(r.map == doctest::Approx(19.0 / 24.0));
  CHECK(r.queries == 2);
  CHECK(r.skipped_queries == 0);
  // Query 0 alone: AP 7/12.
  RetrievalResult q0 = evaluate_retrieval(column({0}), {1}, {0}, column(kGallery), kGalleryIds, kGalleryCameras, 10);
  CHECK(q0.map == doctest::Approx(0.5833333333));
  CHECK(q0.cmc.size() == 10);  // past the 4 remaining entries every rank counts the found match
  CHECK(q0.cmc[0] == 0.0);
  CHECK(q0.cmc[1] == 1.0);
  CHECK(q0.cmc[9] == 1.0);
}

TEST_CASE("retrieval: a query with no match outside its own camera is skipped and counted") {
  RetrievalResult r = evaluate_retrieval(column({0, 10, -1}), {1, 2, 3}, {0, 1, 1}, column(kGallery), kGalleryIds, kGalleryCameras, 3);
  CHECK(r.queries == 2);
  CHECK(r.skipped_queries == 1);
  CHECK(r.cmc == std::vector<double>{0.5, 1.0, 1.0});
  CHECK(r.map == doctest::Approx(19.0 / 24.0));
  CHECK_THROWS_WITH_AS(evaluate_retrieval(column({-1}), {3}, {1}, column(kGallery), kGalleryIds, kGalleryCameras),
                       doctest::Contains("none of the 1 queries has a true match"), Error);
}

TEST_CASE("retrieval: equal distances rank the lower gallery index first") {
  // Gallery entries at +1 and -1 from the query: the one listed first ranks first.
  RetrievalResult miss_first = evaluate_retrieval(column({0}), {1}, {0}, column({1, -1}), {2, 1}, {1, 1}, 2);
  CHECK(miss_first.cmc == std::vector<double>{0.0, 1.0});
  CHECK(miss_first.map == doctest::Approx(0.5));
  RetrievalResult match_first = evaluate_retrieval(column({0}), {1}, {0}, column({-1, 1}), {1, 2}, {1, 1}, 2);
  CHECK(match_first.cmc == std::vector<double>{1.0, 1.0});
  CHECK(match_first.map == doctest::Approx(1.0));
}

TEST_CASE("retrieval: Euclidean distances, and ranked lists without the query's own-camera entries") {
  auto d = euclidean_distances(from_vector(std::vector<double>{0, 0}, {1, 2}), from_vector(std::vector<double>{3, 4, 1, 0}, {2, 2}));
  CHECK(d[0][0] == doctest::Approx(5.0));
  CHECK(d[0][1] == doctest::Approx(1.0));
  auto ranked = ranked_gallery(column({0, 10}), {1, 2}, {0, 1}, column(kGallery), kGalleryIds, kGalleryCameras, 3);
  CHECK(ranked[0] == std::vector<int64_t>{1, 2, 3});
  CHECK(ranked[1] == std::vector<int64_t>{4, 3, 2});
  auto all = ranked_gallery(column({0}), {1}, {0}, column(kGallery), kGalleryIds, kGalleryCameras, 0);
  CHECK(all[0] == std::vector<int64_t>{1, 2, 3, 4});
}

TEST_CASE("retrieval: features, ids and cameras that do not fit are errors") {
  CHECK_THROWS_WITH_AS(evaluate_retrieval(column({0}), {1, 2}, {0}, column(kGallery), kGalleryIds, kGalleryCameras),
                       doctest::Contains("1 query features with 2 ids and 1 cameras"), Error);
  CHECK_THROWS_WITH_AS(evaluate_retrieval(zeros({1, 3}, DType::f64), {1}, {0}, column(kGallery), kGalleryIds, kGalleryCameras),
                       doctest::Contains("expected [Q, D] and [G, D]"), Error);
  CHECK_THROWS_WITH_AS(evaluate_retrieval(column({0}), {1}, {0}, column(kGallery), kGalleryIds, kGalleryCameras, 0),
                       doctest::Contains("max_rank must be at least 1"), Error);
}
