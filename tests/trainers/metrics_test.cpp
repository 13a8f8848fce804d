// Classification metrics against hand-computed cases.
#include "support/test_support.h"
#include "trainers/lib/metrics/classification_metrics.h"

using namespace gaze;

TEST_CASE("top-1, top-k and the confusion matrix count the hand-computed hits") {
  // 4 samples, 4 classes. Ranks of the true class: 0, 1, 3, 1 (in the last sample class 2 ties
  // with class 0: the lower index ranks first, so the label ranks second and class 0 is predicted).
  Tensor logits = from_vector(std::vector<float>{
                                  0.9f, 0.05f, 0.03f, 0.02f,  // label 0: rank 0
                                  0.5f, 0.1f, 0.3f, 0.1f,     // label 2: rank 1
                                  0.4f, 0.3f, 0.2f, 0.1f,     // label 3: rank 3
                                  0.5f, 0.0f, 0.5f, 0.0f,     // label 2: tie with class 0 → rank 1, predicted 0
                              },
                              {4, 4});
  Tensor labels = from_vector(std::vector<int64_t>{0, 2, 3, 2}, {4});
  ClassificationMetrics m(4);
  m.add(logits, labels, 2.0);
  CHECK(m.count() == 4);
  CHECK(m.top1() == doctest::Approx(0.25));
  CHECK(m.topk(2) == doctest::Approx(0.75));
  CHECK(m.topk(3) == doctest::Approx(0.75));
  CHECK(m.topk(4) == doctest::Approx(1.0));
  CHECK(m.topk(10) == doctest::Approx(1.0));  // capped at the number of classes
  CHECK(m.mean_loss() == doctest::Approx(0.5));
  const auto& c = m.confusion();
  CHECK(c[0] == std::vector<int64_t>{1, 0, 0, 0});
  CHECK(c[2] == std::vector<int64_t>{2, 0, 0, 0});
  CHECK(c[3] == std::vector<int64_t>{1, 0, 0, 0});
}

TEST_CASE("metrics accumulate over batches") {
  ClassificationMetrics m(3);
  m.add(from_vector(std::vector<float>{1, 0, 0, 0, 1, 0}, {2, 3}), from_vector(std::vector<int64_t>{0, 2}, {2}), 1.0);
  m.add(from_vector(std::vector<float>{0, 0, 1}, {1, 3}), from_vector(std::vector<int64_t>{2}, {1}), 2.0);
  CHECK(m.count() == 3);
  CHECK(m.top1() == doctest::Approx(2.0 / 3.0));
  CHECK(m.mean_loss() == doctest::Approx(1.0));
  CHECK(m.confusion()[2] == std::vector<int64_t>{0, 1, 1});
}

TEST_CASE("metrics reject logits and labels that do not fit") {
  ClassificationMetrics m(3);
  CHECK_THROWS_WITH_AS(m.add(zeros({2, 4}), from_vector(std::vector<int64_t>{0, 1}, {2})),
                       doctest::Contains("expected logits [N, 3]"), Error);
  CHECK_THROWS_WITH_AS(m.add(zeros({1, 3}), from_vector(std::vector<int64_t>{3}, {1})), doctest::Contains("label 3 outside [0, 3)"),
                       Error);
}

TEST_CASE("video accuracy: a video's prediction is the argmax of its clips' mean softmax, not of their mean logits") {
  // 3 classes.
  //  video 5, label 1: clips (0,3,0), (10,0,0), (0,3,0). Softmax (0.0453, 0.9094, 0.0453) twice and
  //    (0.99991, 0.00005, 0.00005): mean (0.3635, 0.6063, 0.0302) -> class 1, correct. (The mean
  //    of the logits, (3.33, 2, 0), would say class 0.)
  //  video 8, label 0: one clip (1,2,3) -> class 2, wrong.
  //  video 2, label 2: one clip in each batch, (0,0,1) -> class 2, correct.
  VideoAccuracy v;
  v.add(from_vector(std::vector<float>{0, 3, 0, 10, 0, 0, 1, 2, 3, 0, 0, 1}, {4, 3}), {5, 5, 8, 2}, {1, 1, 0, 2});
  v.add(from_vector(std::vector<float>{0, 3, 0, 0, 0, 1}, {2, 3}), {5, 2}, {1, 2});
  CHECK(v.videos() == 3);
  CHECK(v.clips() == 6);
  CHECK(v.accuracy() == doctest::Approx(2.0 / 3.0));
  CHECK(VideoAccuracy().accuracy() == 0.0);
}

TEST_CASE("video accuracy: clips of one video with different labels, bad labels or shapes are errors") {
  VideoAccuracy v;
  v.add(zeros({1, 3}), {4}, {1});
  CHECK_THROWS_WITH_AS(v.add(zeros({1, 3}), {4}, {2}), doctest::Contains("clips of video 4 are labelled both 1 and 2"), Error);
  CHECK_THROWS_WITH_AS(v.add(zeros({2, 3}), {9, 9}, {0, 2}), doctest::Contains("clips of video 9 are labelled both 0 and 2"), Error);
  CHECK_THROWS_WITH_AS(v.add(zeros({1, 3}), {6}, {3}), doctest::Contains("label 3 of video 6 outside [0, 3)"), Error);
  CHECK_THROWS_WITH_AS(v.add(zeros({1, 4}), {6}, {0}), doctest::Contains("logits with 4 classes after batches with 3"), Error);
  CHECK_THROWS_WITH_AS(v.add(zeros({2, 3}), {6}, {0}), doctest::Contains("expected logits [N, classes]"), Error);
  CHECK(v.videos() == 1);  // the failed batches recorded nothing
  CHECK(v.clips() == 1);
}
