// Tensor handles, views, creation, printing, random generators and error messages.
#include <sstream>

#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("creation: zeros, ones, full, arange, from_vector, item") {
  CHECK(zeros({2, 3}).to_vector<double>() == std::vector<double>(6, 0.0));
  CHECK(ones({4}, DType::f64).to_vector<double>() == std::vector<double>(4, 1.0));
  CHECK(full({2}, 2.5).to_vector<float>() == std::vector<float>{2.5f, 2.5f});
  CHECK(arange(0.0, 1.0, 0.25).to_vector<double>() == std::vector<double>{0, 0.25, 0.5, 0.75});
  CHECK(arange(3).dtype() == DType::i64);
  CHECK(arange(3).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2});
  Tensor t = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  CHECK(t.shape() == Shape{2, 3});
  CHECK(t.strides() == Shape{3, 1});
  CHECK(t.at({1, 2}) == 6.0);
  CHECK(scalar_tensor(7.0).item() == 7.0);
  CHECK_THROWS_WITH_AS(t.item(), doctest::Contains("has 6 elements"), Error);
  CHECK_THROWS_WITH_AS(from_vector(std::vector<float>{1, 2, 3}, {2, 2}), doctest::Contains("3 values cannot fill shape [2,2]"), Error);
}

TEST_CASE("views share storage and copy nothing; contiguous copies only when needed") {
  Tensor t = from_vector(std::vector<double>{0, 1, 2, 3, 4, 5}, {2, 3});
  Tensor tt = transpose(t, 0, 1);
  CHECK(tt.storage() == t.storage());
  CHECK(tt.shape() == Shape{3, 2});
  CHECK(tt.strides() == Shape{1, 3});
  CHECK_FALSE(tt.is_contiguous());
  CHECK(tt.to_vector<double>() == std::vector<double>{0, 3, 1, 4, 2, 5});
  Tensor c = contiguous(tt);
  CHECK(c.storage() != t.storage());
  CHECK(c.is_contiguous());
  CHECK(contiguous(t).same(t));
  Tensor r = reshape(t, {3, 2});
  CHECK(r.storage() == t.storage());
  Tensor s = slice(t, 1, 1, 3);
  CHECK(s.storage() == t.storage());
  CHECK(s.to_vector<double>() == std::vector<double>{1, 2, 4, 5});
  Tensor e = expand(reshape(arange(0.0, 3.0, 1.0, DType::f64), {3, 1}), {3, 4});
  CHECK(e.strides() == Shape{1, 0});
  CHECK(e.at({2, 3}) == 2.0);
  Tensor u = unsqueeze(t, 0);
  CHECK(u.shape() == Shape{1, 2, 3});
  CHECK(squeeze(u).shape() == Shape{2, 3});
  CHECK(permute(unsqueeze(t, 2), {2, 0, 1}).shape() == Shape{1, 2, 3});
  // Writing through a view is seen by the base.
  slice(t, 0, 1, 2).fill_(9.0);
  CHECK(t.to_vector<double>() == std::vector<double>{0, 1, 2, 9, 9, 9});
}

TEST_CASE("view refuses strides it cannot express; reshape copies instead") {
  Tensor t = transpose(zeros({2, 3}), 0, 1);
  CHECK_THROWS_WITH_AS(view(t, {6}), doctest::Contains("use reshape()"), Error);
  CHECK(reshape(t, {6}).shape() == Shape{6});
  CHECK(view(t, {3, 1, 2}).shape() == Shape{3, 1, 2});  // splitting a dim is always viewable
}

TEST_CASE("broadcasting follows NumPy's rules") {
  CHECK(broadcast_shapes({3, 1, 5}, {4, 1}, "t") == Shape{3, 4, 5});
  CHECK(broadcast_shapes({}, {2, 2}, "t") == Shape{2, 2});
  Tensor a = reshape(arange(0.0, 3.0, 1.0), {3, 1});
  Tensor b = arange(0.0, 2.0, 1.0);
  CHECK((a + b).to_vector<double>() == std::vector<double>{0, 1, 1, 2, 2, 3});
  CHECK_THROWS_WITH_AS(add(zeros({2, 3}), zeros({4})), doctest::Contains("shapes [2,3] and [4] cannot be broadcast"), Error);
}

TEST_CASE("errors name the op and the shapes") {
  CHECK_THROWS_WITH_AS(matmul(zeros({8, 64}), zeros({32, 16})),
                       "matmul: shapes [8,64] and [32,16] cannot be multiplied (64 != 32)", Error);
  CHECK_THROWS_WITH_AS(add(zeros({2}), zeros({2}, DType::f64)), doctest::Contains("add: dtypes f32 and f64 differ"), Error);
  CHECK_THROWS_WITH_AS(sum(zeros({2, 3}), {2}), doctest::Contains("sum: dim 2 is out of range for a tensor of 2 dims"), Error);
  CHECK_THROWS_WITH_AS(transpose(zeros({2, 3}), 0, -3), doctest::Contains("transpose: dim -3"), Error);
  CHECK_THROWS_WITH_AS(cat({zeros({2, 3}), zeros({3, 3})}, 1), doctest::Contains("cat: tensor 1 has shape [3,3]"), Error);
  CHECK_THROWS_WITH_AS(conv2d(zeros({1, 3, 8, 8}), zeros({4, 2, 3, 3})), doctest::Contains("expects 2 input channels"), Error);
  CHECK_THROWS_WITH_AS(exp(arange(3)), doctest::Contains("exp: expected a floating-point tensor"), Error);
  CHECK_THROWS_WITH_AS(cross_entropy(zeros({2, 3}), from_vector(std::vector<int64_t>{0, 3}, {2})),
                       doctest::Contains("target 3 of sample 1 is outside [0, 3)"), Error);
  CHECK_THROWS_WITH_AS(reshape(zeros({2, 3}), {4, -1}), doctest::Contains("shape [4,-1] is invalid for a tensor of 6 elements"), Error);
  Tensor undefined;
  CHECK_THROWS_WITH_AS(relu(undefined), doctest::Contains("undefined"), Error);
}

TEST_CASE("printing shows shape, dtype, device and values") {
  Tensor t = from_vector(std::vector<float>{1, 2.5, -3, 4}, {2, 2});
  std::ostringstream out;
  out << t;
  CHECK(out.str() == "Tensor(shape=[2,2], dtype=f32, device=cpu)\n[[1, 2.5],\n [-3, 4]]");
  std::string long_row = arange(10).str();
  CHECK(long_row.find("[0, 1, 2, ..., 7, 8, 9]") != std::string::npos);
}

TEST_CASE("a seeded generator repeats itself, and its saved state resumes the sequence") {
  Generator a(7), b(7);
  CHECK(randn({5}, DType::f64, &a).to_vector<double>() == randn({5}, DType::f64, &b).to_vector<double>());
  std::string state = a.state();
  std::vector<double> next = rand({4}, DType::f64, &a).to_vector<double>();
  double normal_next = a.normal();
  Generator c(0);
  c.set_state(state);
  CHECK(rand({4}, DType::f64, &c).to_vector<double>() == next);
  CHECK(c.normal() == normal_next);
  CHECK_THROWS_AS(c.set_state("garbage"), Error);
  std::vector<double> u = rand({1000}, DType::f64, &a).to_vector<double>();
  double m = 0;
  for (double v : u) {
    CHECK(v >= 0.0);
    CHECK(v < 1.0);
    m += v / 1000;
  }
  CHECK(m == doctest::Approx(0.5).epsilon(0.05));
}

TEST_CASE("dtype and device names parse and print") {
  CHECK(parse_dtype("float32") == DType::f32);
  CHECK(std::string(dtype_name(DType::i64)) == "i64");
  CHECK_THROWS_WITH_AS(parse_dtype("f16"), doctest::Contains("expected one of f32, f64, i64"), Error);
  CHECK(parse_device("cuda:1") == Device::cuda(1));
  CHECK(Device::cpu().str() == "cpu");
  CHECK_THROWS_AS(parse_device("tpu"), Error);
  // CUDA tensors without a GPU: tests/framework/device_test.cpp.
}
