// Loading PyTorch fixtures (tests/golden/*.json, written by the scripts beside them) and
// comparing tensors against them.
#pragma once
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_support.h"

namespace gaze::test {

inline nlohmann::json load_golden(const std::string& file) {
  std::ifstream in(std::string(GAZE_TESTS_DIR) + "/golden/" + file);
  REQUIRE_MESSAGE(in.good(), "missing tests/golden/" << file << ": run the make_*_fixtures.py script beside it");
  return nlohmann::json::parse(in);
}

inline Tensor golden_tensor(const nlohmann::json& j, DType dtype = DType::f64) {
  Shape shape = j.at("shape").get<Shape>();
  if (dtype == DType::i64) return from_vector(j.at("values").get<std::vector<int64_t>>(), shape);
  return from_vector(j.at("values").get<std::vector<double>>(), shape, dtype);
}

// max |got − want| / max |want| over the tensor: the relative error of the tensor as a whole,
// so elements near zero are judged on the tensor's scale. A tensor that is zero in exact
// arithmetic (the gradient of a conv bias feeding a training-mode BatchNorm, of a key bias under
// a softmax) has no scale of its own: its values are held to 10·tol absolute, inputs being O(1).
inline void check_relative(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  INFO(what);
  REQUIRE(got.defined());
  REQUIRE(got.shape() == want.shape());
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double scale = 0.0, worst = 0.0;
  for (double v : w) scale = std::max(scale, std::abs(v));
  for (size_t i = 0; i < g.size(); ++i) worst = std::max(worst, std::abs(g[i] - w[i]));
  double relative = scale > 1e-6 ? worst / scale : worst / 10.0;
  INFO("relative error " << relative << " (max abs diff " << worst << ", scale " << scale << ")");
  CHECK(relative <= tol);
}

}  // namespace gaze::test
