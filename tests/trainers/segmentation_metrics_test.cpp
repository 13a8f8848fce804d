// Segmentation metrics against a hand-computed 2×3 label map.
#include "trainers/lib/metrics/segmentation_metrics.h"

#include <cmath>

#include "support/test_support.h"

using namespace gaze;

namespace {

// target         prediction
//   0   0   1      0   1   1
//   2 255   1      2   2   0
// The ignored pixel (predicted 2) is not counted. Counted pixels: t0p0, t0p1, t1p1, t2p2, t1p0.
//   class 0: target 2, predicted 2, both 1 -> IoU 1 / (2 + 2 - 1) = 1/3
//   class 1: target 2, predicted 2, both 1 -> 1/3
//   class 2: target 1, predicted 1, both 1 -> 1 (1/2 if the ignored pixel were counted)
//   class 3: in neither -> NaN, left out of the mean
// mIoU = (1/3 + 1/3 + 1) / 3 = 5/9; pixel accuracy 3 of 5 = 0.6.
const std::vector<int64_t> kTarget = {0, 0, 1, 2, 255, 1};
const std::vector<int64_t> kPredicted = {0, 1, 1, 2, 2, 0};

void check_hand_case(const SegmentationMetrics& m) {
  std::vector<double> iou = m.iou();
  REQUIRE(iou.size() == 4);
  CHECK(iou[0] == doctest::Approx(1.0 / 3.0));
  CHECK(iou[1] == doctest::Approx(1.0 / 3.0));
  CHECK(iou[2] == doctest::Approx(1.0));
  CHECK(std::isnan(iou[3]));
  CHECK(m.miou() == doctest::Approx(5.0 / 9.0));
  CHECK(m.pixel_accuracy() == doctest::Approx(0.6));
  CHECK(m.pixels() == 5);
  const auto& c = m.confusion();
  CHECK(c[0] == std::vector<int64_t>{1, 1, 0, 0});
  CHECK(c[1] == std::vector<int64_t>{1, 1, 0, 0});
  CHECK(c[2] == std::vector<int64_t>{0, 0, 1, 0});
  CHECK(c[3] == std::vector<int64_t>{0, 0, 0, 0});
}

}  // namespace

TEST_CASE("segmentation IoU, mIoU and pixel accuracy of a hand-computed label map with an absent class and an ignored pixel") {
  SegmentationMetrics m(4, 255);
  m.add_predictions(kPredicted, kTarget);
  check_hand_case(m);
}

TEST_CASE("segmentation metrics from logits [N, C, H, W]: the argmax over C is the prediction, ties to the lower class") {
  // Logits [1, 4, 2, 3] that are 1 at the predicted class; the pixel at (0, 0) ties classes 0
  // and 3 (both 1), which must predict 0 like torch.argmax.
  std::vector<float> logits(4 * 6, 0.0f);
  for (int i = 0; i < 6; ++i) logits[kPredicted[i] * 6 + i] = 1.0f;
  logits[3 * 6 + 0] = 1.0f;
  SegmentationMetrics m(4);
  m.add(from_vector(logits, {1, 4, 2, 3}), from_vector(kTarget, {1, 2, 3}));
  check_hand_case(m);
}

TEST_CASE("segmentation metrics accumulate over batches into one confusion matrix") {
  SegmentationMetrics m(4);
  m.add_predictions({0, 1, 1}, {0, 0, 1});
  m.add_predictions({2, 2, 0}, {2, 255, 1});
  check_hand_case(m);
  SegmentationMetrics empty(3);
  CHECK(std::isnan(empty.miou()));
  CHECK(empty.pixel_accuracy() == 0.0);
}

TEST_CASE("segmentation metrics reject labels outside the classes, naming them, and leave the totals unchanged") {
  SegmentationMetrics m(3, 255);
  CHECK_THROWS_WITH_AS(m.add_predictions({0, 1}, {0, 7}), doctest::Contains("target label 7 (pixel 1) is outside [0, 3)"), Error);
  CHECK_THROWS_WITH_AS(m.add_predictions({0, 3}, {0, 1}), doctest::Contains("predicted label 3"), Error);
  CHECK_THROWS_WITH_AS(m.add_predictions({0}, {0, 1}), doctest::Contains("1 predicted labels for 2 target labels"), Error);
  CHECK(m.pixels() == 0);
  CHECK_THROWS_WITH_AS(m.add(zeros({1, 2, 2, 3}), zeros({1, 2, 3}, DType::i64)), doctest::Contains("expected logits [N, 3, H, W]"), Error);
  CHECK_THROWS_WITH_AS(m.add(zeros({1, 3, 2, 3}), zeros({1, 2, 3})), doctest::Contains("must be i64"), Error);
  CHECK_THROWS_WITH_AS(SegmentationMetrics(3, 1), doctest::Contains("ignore_index 1 is a real class"), Error);
}
