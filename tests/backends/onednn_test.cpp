// The onednn backend where oneDNN's conventions differ from ours: max-pool indices on ties and
// all -inf windows, clamp's gradient at the bounds, average-pool divisors in ceil mode, adaptive
// pooling as average pooling, operands broadcast on the left, transposed and batch-broadcast
// matmuls, batch norm without affine parameters or with gradients left out, and the f64
// fallback. Each case compares with the reference backend.
#include "gaze/build_config.h"

#if GAZE_HAVE_ONEDNN
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "framework/backend_registry.h"

namespace gaze {
namespace {

// A contiguous f32 array of uniform values, rounded to integers where ties are wanted.
struct Array {
  std::vector<float> values;
  Shape shape;

  explicit Array(Shape s, uint32_t seed = 0, bool integers = false) : shape(std::move(s)) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    values.resize(numel(shape));
    for (float& v : values) v = integers ? std::round(dist(rng)) : dist(rng);
  }
  KernelArg arg() { return {values.data(), DType::f32, shape, contiguous_strides(shape)}; }
};

KernelArg absent() { return {}; }

Backend& onednn() { return get_backend("onednn"); }
Backend& reference() { return get_backend("reference"); }

void check_close(const std::vector<float>& actual, const std::vector<float>& expected,
                 double tol = 1e-5) {
  REQUIRE(actual.size() == expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i << ": got " << actual[i] << ", expected " << expected[i]);
    CHECK((actual[i] == expected[i] ||
           std::abs(actual[i] - expected[i]) <= tol * (1.0 + std::abs(expected[i]))));
  }
}

}  // namespace

TEST_CASE("onednn max pooling: indices of the first maximum on ties, -inf windows, ceil mode") {
  struct Case {
    PoolParams params;
    Shape out;
  };
  Shape in{2, 3, 7, 9};
  // kernel 3, stride 2, padding 1; kernel 2, stride 2 in ceil mode (the last windows overhang).
  for (const Case& c : {Case{{{3, 3}, {2, 2}, {1, 1}, {1, 1}, true}, {2, 3, 4, 5}},
                        Case{{{2, 2}, {2, 2}, {0, 0}, {1, 1}, true}, {2, 3, 4, 5}}}) {
    const PoolParams& p = c.params;
    const Shape& out = c.out;
    Array x(in, 1, true);
    // The first two rows of the first plane: whole windows of -inf.
    for (int i = 0; i < 18; ++i) x.values[i] = -std::numeric_limits<float>::infinity();
    Array y1(out), y2(out);
    std::vector<int64_t> i1(numel(out)), i2(numel(out));
    KernelArg idx1{i1.data(), DType::i64, out, contiguous_strides(out)};
    KernelArg idx2{i2.data(), DType::i64, out, contiguous_strides(out)};
    onednn().max_pool_forward(y1.arg(), idx1, x.arg(), p);
    reference().max_pool_forward(y2.arg(), idx2, x.arg(), p);
    CHECK(y1.values == y2.values);
    CHECK(i1 == i2);
    Array g(out, 2), gx1(in), gx2(in);
    onednn().max_pool_backward(gx1.arg(), g.arg(), idx2);
    reference().max_pool_backward(gx2.arg(), g.arg(), idx2);
    check_close(gx1.values, gx2.values);
  }
}

TEST_CASE("onednn average pooling: padding counted or not, windows past the padding in ceil mode") {
  // in 6, kernel 3, stride 2, padding 1, ceil mode: 4 outputs, the last window [5, 8) ends past
  // in + padding = 7, where the reference's divisor is 2 and oneDNN's would be 3.
  Shape in{2, 3, 6, 6}, out{2, 3, 4, 4};
  for (bool count_pad : {true, false}) {
    PoolParams p{{3, 3}, {2, 2}, {1, 1}, {1, 1}, count_pad};
    Array x(in, 3), y1(out), y2(out), g(out, 4), gx1(in), gx2(in);
    onednn().avg_pool_forward(y1.arg(), x.arg(), p);
    reference().avg_pool_forward(y2.arg(), x.arg(), p);
    check_close(y1.values, y2.values);
    onednn().avg_pool_backward(gx1.arg(), g.arg(), p);
    reference().avg_pool_backward(gx2.arg(), g.arg(), p);
    check_close(gx1.values, gx2.values);
  }
}

TEST_CASE("onednn adaptive average pooling: uniform windows (global pooling) and uneven ones") {
  Shape in{2, 3, 8, 6};
  for (const Shape& out : {Shape{2, 3, 1, 1}, Shape{2, 3, 4, 3}, Shape{2, 3, 3, 4}}) {
    INFO("out " << shape_str(out));
    Array x(in, 15), y1(out), y2(out), g(out, 16), gx1(in), gx2(in);
    onednn().adaptive_avg_pool_forward(y1.arg(), x.arg());
    reference().adaptive_avg_pool_forward(y2.arg(), x.arg());
    check_close(y1.values, y2.values);
    onednn().adaptive_avg_pool_backward(gx1.arg(), g.arg());
    reference().adaptive_avg_pool_backward(gx2.arg(), g.arg());
    check_close(gx1.values, gx2.values);
  }
}

TEST_CASE("onednn clamp passes the gradient where min <= x <= max, bounds included") {
  Array x({64}, 5, true), y1({64}), y2({64}), g({64}, 6), gx1({64}), gx2({64});
  UnaryParams p{-1.0, 1.0};
  onednn().unary(UnaryOp::clamp, y1.arg(), x.arg(), p);
  reference().unary(UnaryOp::clamp, y2.arg(), x.arg(), p);
  CHECK(y1.values == y2.values);
  onednn().unary_backward(UnaryOp::clamp, gx1.arg(), g.arg(), x.arg(), y2.arg(), p);
  reference().unary_backward(UnaryOp::clamp, gx2.arg(), g.arg(), x.arg(), y2.arg(), p);
  CHECK(gx1.values == gx2.values);
}

TEST_CASE("onednn binary ops with the first operand broadcast") {
  Shape full{4, 5, 6};
  Array a({5, 1}, 7, true), b(full, 8, true);
  for (auto& v : a.values) v = v == 0.0f ? 0.5f : v;
  KernelArg wide_a{a.values.data(), DType::f32, full, {0, 1, 0}};
  for (BinaryOp op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::pow,
                      BinaryOp::maximum, BinaryOp::minimum, BinaryOp::eq, BinaryOp::gt,
                      BinaryOp::lt, BinaryOp::ge, BinaryOp::le}) {
    INFO(std::string(binary_op_name(op)));
    Array o1(full), o2(full);
    onednn().binary(op, o1.arg(), wide_a, b.arg());
    reference().binary(op, o2.arg(), wide_a, b.arg());
    check_close(o1.values, o2.values);
  }
}

TEST_CASE("onednn matmul with transposed operands and a batch shared by every product") {
  int64_t batch = 3, m = 5, k = 7, n = 4;
  Array a({batch, k, m}, 9), b({n, k}, 10);
  KernelArg a_t{a.values.data(), DType::f32, {batch, m, k}, {k * m, 1, m}};   // a transposed
  KernelArg b_t{b.values.data(), DType::f32, {batch, k, n}, {0, 1, k}};       // shared, transposed
  Array o1({batch, m, n}), o2({batch, m, n});
  onednn().matmul(o1.arg(), a_t, b_t);
  reference().matmul(o2.arg(), a_t, b_t);
  check_close(o1.values, o2.values);
}

TEST_CASE("onednn batch norm without weight or bias, and with gradients left out") {
  Shape shape{4, 5, 6, 3};
  Array x(shape, 11), weight({5}, 12), bias({5}, 13), g(shape, 14);
  for (bool affine : {true, false}) {
    Array y1(shape), y2(shape), mean1({5}), mean2({5}), invstd1({5}), invstd2({5});
    KernelArg w = affine ? weight.arg() : absent(), b = affine ? bias.arg() : absent();
    onednn().batch_norm_forward(y1.arg(), mean1.arg(), invstd1.arg(), x.arg(), w, b, 1e-5);
    reference().batch_norm_forward(y2.arg(), mean2.arg(), invstd2.arg(), x.arg(), w, b, 1e-5);
    check_close(y1.values, y2.values, 1e-4);
    check_close(mean1.values, mean2.values);
    check_close(invstd1.values, invstd2.values, 1e-4);
    for (int wanted = 1; wanted < 8; ++wanted) {
      if (!affine && wanted != 1) continue;
      INFO("affine " << affine << ", wanted gradients " << wanted);
      Array gx1(shape), gx2(shape), gw1({5}), gw2({5}), gb1({5}), gb2({5});
      auto pick = [&](Array& a, int bit) { return (wanted & bit) ? a.arg() : absent(); };
      onednn().batch_norm_backward(pick(gx1, 1), pick(gw1, 2), pick(gb1, 4), g.arg(), x.arg(), w,
                                   mean2.arg(), invstd2.arg());
      reference().batch_norm_backward(pick(gx2, 1), pick(gw2, 2), pick(gb2, 4), g.arg(), x.arg(),
                                      w, mean2.arg(), invstd2.arg());
      if (wanted & 1) check_close(gx1.values, gx2.values, 1e-4);
      if (wanted & 2) check_close(gw1.values, gw2.values, 1e-4);
      if (wanted & 4) check_close(gb1.values, gb2.values, 1e-4);
    }
  }
}

TEST_CASE("onednn runs f64 through its parent") {
  std::vector<double> x{1.0, -2.0, 3.0}, y(3), expected{1.0, 0.0, 3.0};
  KernelArg in{x.data(), DType::f64, {3}, {1}}, out{y.data(), DType::f64, {3}, {1}};
  CHECK(onednn().supports(Op::unary, DType::f64));
  onednn().unary(UnaryOp::relu, out, in, {});
  CHECK(y == expected);
}

}  // namespace gaze
#endif
