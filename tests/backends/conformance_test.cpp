// Backend conformance: every kernel of every built backend against `reference` on random
// shapes — odd sizes, size-1 dims, non-contiguous views, broadcasting, groups, dilation,
// strides, 1D/2D/3D — forward and backward, in f32 and f64.
//
// The `cuda` backend runs the same cases when a GPU is present (through support/device_staging.h,
// which copies each argument's strided span to the GPU and back); without one, each case prints
// "skipped (<why>): conformance cuda <kernels>" and passes.
//
// Tolerances: f64 1e-9 and f32 2e-4, relative to 1 + |expected| (the reference accumulates in
// double; a backend accumulating long f32 sums in another order differs by a few ulps × sqrt(n)).
#include <tuple>
#include <string>

#include "autograd/op_support.h"
#include "framework/backend_registry.h"
#include "support/device_staging.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

// The CPU backends other than reference, and `cuda` when a GPU is here. `kernels` names the
// case in the skip line.
std::vector<Backend*> backends_under_test(const char* kernels) {
  std::vector<Backend*> out;
  for (const std::string& name : available_backends())
    if (name != "reference") out.push_back(&get_backend(name));
  static std::string why_no_cuda;
  static std::unique_ptr<Backend> cuda = test::make_device_staging_backend(Device::cuda(0), why_no_cuda);
  if (cuda) out.push_back(cuda.get());
  else MESSAGE("skipped (" << why_no_cuda << "): conformance cuda " << std::string(kernels));
  if (out.empty()) MESSAGE("only the reference backend is built: nothing to compare (skipped)");
  return out;
}

Backend& reference() { return get_backend("reference"); }

double tolerance(DType dtype) { return dtype == DType::f64 ? 1e-9 : 2e-4; }

void expect_same(const Tensor& got, const Tensor& want, const std::string& what) {
  REQUIRE(got.shape() == want.shape());
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double tol = tolerance(want.dtype()), worst = 0.0;
  size_t worst_at = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    double err = std::abs(g[i] - w[i]) / (1.0 + std::abs(w[i]));
    if (!(err <= worst)) {  // catches NaN too
      worst = std::isnan(err) ? INFINITY : err;
      worst_at = i;
    }
  }
  INFO(what << ": worst relative error " << worst << " at element " << worst_at << " (got "
            << (g.empty() ? 0 : g[worst_at]) << ", expected " << (w.empty() ? 0 : w[worst_at]) << ")");
  CHECK(worst <= tol);
}

// Uniform values in [low, high); `strided` lays them out every other element of the last dim,
// so the tensor is a non-contiguous view.
Tensor random(const Shape& shape, DType dtype, Generator& g, bool strided = false, double low = -1.0, double high = 1.0) {
  if (!strided || shape.empty()) return uniform(shape, low, high, dtype, &g);
  Shape wide = shape;
  wide.back() *= 2;
  return slice(uniform(wide, low, high, dtype, &g), -1, 0, wide.back(), 2);
}

Shape random_shape(Generator& g, size_t rank, int64_t max_size) {
  Shape s;
  for (size_t i = 0; i < rank; ++i) s.push_back(1 + static_cast<int64_t>(g.uniform() * max_size));
  return s;
}

int64_t pick(Generator& g, int64_t low, int64_t high) { return low + static_cast<int64_t>(g.uniform() * (high - low + 1)); }

const DType kFloatTypes[] = {DType::f32, DType::f64};

}  // namespace

TEST_CASE("conformance: fill and copy (with dtype conversion) into strided views") {
  for (Backend* b : backends_under_test("fill, copy")) {
    CAPTURE(b->name());
    Generator g(1);
    for (DType dt : kFloatTypes) {
      Tensor x = random({3, 5, 7}, dt, g, true);
      Tensor got = zeros({7, 5, 3}, dt), want = zeros({7, 5, 3}, dt);
      b->copy(permute(got, {2, 1, 0}).arg(), x.arg());
      reference().copy(permute(want, {2, 1, 0}).arg(), x.arg());
      expect_same(got, want, "copy");
      Tensor cast_got = empty({3, 5, 7}, dt == DType::f32 ? DType::f64 : DType::f32), cast_want = empty_like(cast_got);
      b->copy(cast_got.arg(), x.arg());
      reference().copy(cast_want.arg(), x.arg());
      expect_same(cast_got, cast_want, "copy with conversion");
      b->fill(slice(got, 1, 0, 5, 2).arg(), 2.5);
      reference().fill(slice(want, 1, 0, 5, 2).arg(), 2.5);
      expect_same(got, want, "fill");
    }
  }
}

TEST_CASE("conformance: unary ops and their backward, contiguous and strided") {
  const UnaryOp ops[] = {UnaryOp::neg, UnaryOp::exp, UnaryOp::log, UnaryOp::sqrt, UnaryOp::abs, UnaryOp::relu,
                         UnaryOp::leaky_relu, UnaryOp::sigmoid, UnaryOp::tanh, UnaryOp::clamp, UnaryOp::pow};
  for (Backend* b : backends_under_test("unary, unary_backward")) {
    CAPTURE(b->name());
    Generator g(2);
    for (DType dt : kFloatTypes)
      for (UnaryOp op : ops)
        for (bool strided : {false, true}) {
          CAPTURE(unary_op_name(op));
          CAPTURE(strided);
          bool positive = op == UnaryOp::log || op == UnaryOp::sqrt || op == UnaryOp::pow;
          Shape shape = random_shape(g, 3, 9);
          Tensor x = random(shape, dt, g, strided, positive ? 0.1 : -2.0, 2.0);
          UnaryParams p{op == UnaryOp::clamp ? -0.5 : (op == UnaryOp::pow ? 1.7 : 0.1), 0.8};
          Tensor got = empty(shape, dt), want = empty(shape, dt);
          b->unary(op, got.arg(), x.arg(), p);
          reference().unary(op, want.arg(), x.arg(), p);
          expect_same(got, want, "unary");
          Tensor gy = random(shape, dt, g, strided);
          Tensor ggot = empty(shape, dt), gwant = empty(shape, dt);
          b->unary_backward(op, ggot.arg(), gy.arg(), x.arg(), want.arg(), p);
          reference().unary_backward(op, gwant.arg(), gy.arg(), x.arg(), want.arg(), p);
          expect_same(ggot, gwant, "unary_backward");
        }
  }
}

TEST_CASE("conformance: binary ops with broadcasting and strided operands") {
  const BinaryOp ops[] = {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div, BinaryOp::pow, BinaryOp::maximum,
                          BinaryOp::minimum, BinaryOp::eq, BinaryOp::gt, BinaryOp::lt, BinaryOp::ge, BinaryOp::le};
  const std::pair<Shape, Shape> shapes[] = {{{4, 6, 5}, {4, 6, 5}}, {{3, 1, 5}, {4, 1}}, {{1}, {2, 3}},
                                            {{7, 1}, {1, 9}}, {{2, 3, 4, 5}, {3, 1, 5}}, {{5, 8}, {}}};
  for (Backend* b : backends_under_test("binary")) {
    CAPTURE(b->name());
    Generator g(3);
    for (DType dt : kFloatTypes)
      for (BinaryOp op : ops)
        for (const auto& [sa, sb] : shapes)
          for (bool strided : {false, true}) {
            CAPTURE(binary_op_name(op));
            CAPTURE(shape_str(sa));
            CAPTURE(shape_str(sb));
            bool positive = op == BinaryOp::pow || op == BinaryOp::div;
            Tensor a = random(sa, dt, g, strided, positive ? 0.5 : -1.0, 2.0);
            Tensor c = random(sb, dt, g, false, positive ? 0.5 : -1.0, 2.0);
            if (op == BinaryOp::eq && sa == sb) c = clone(a);  // equal pairs exist to be found
            Shape out = broadcast_shapes(sa, sb, "conformance");
            Tensor got = empty(out, dt), want = empty(out, dt);
            b->binary(op, got.arg(), autograd::broadcast_arg(a, out), autograd::broadcast_arg(c, out));
            reference().binary(op, want.arg(), autograd::broadcast_arg(a, out), autograd::broadcast_arg(c, out));
            expect_same(got, want, "binary");
          }
  }
}

TEST_CASE("conformance: reductions over every subset of dims, strided inputs") {
  const ReduceOp ops[] = {ReduceOp::sum, ReduceOp::mean, ReduceOp::max, ReduceOp::min};
  for (Backend* b : backends_under_test("reduce")) {
    CAPTURE(b->name());
    Generator g(4);
    for (DType dt : kFloatTypes)
      for (ReduceOp op : ops)
        for (int mask = 0; mask < 8; ++mask)
          for (bool strided : {false, true}) {
            CAPTURE(reduce_op_name(op));
            CAPTURE(mask);
            Shape shape = random_shape(g, 3, 12);
            Tensor x = random(shape, dt, g, strided);
            Shape out = shape;
            for (int d = 0; d < 3; ++d)
              if (mask & (1 << d)) out[d] = 1;
            Tensor got = empty(out, dt), want = empty(out, dt);
            b->reduce(op, got.arg(), x.arg());
            reference().reduce(op, want.arg(), x.arg());
            expect_same(got, want, "reduce");
          }
  }
}

TEST_CASE("conformance: reductions of few outputs over many elements (the chunked GPU path)") {
  const ReduceOp ops[] = {ReduceOp::sum, ReduceOp::mean, ReduceOp::max, ReduceOp::min};
  for (Backend* b : backends_under_test("reduce")) {
    CAPTURE(b->name());
    Generator g(14);
    for (ReduceOp op : ops)
      for (const auto& [shape, out, strided] : {std::tuple{Shape{3, 40000}, Shape{3, 1}, false},
                                               std::tuple{Shape{100, 700}, Shape{1, 1}, true},
                                               std::tuple{Shape{64, 100, 200}, Shape{1, 100, 1}, false}}) {
        CAPTURE(reduce_op_name(op));
        CAPTURE(shape_str(shape));
        Tensor x = random(shape, DType::f32, g, strided);
        Tensor got = empty(out, DType::f32), want = empty(out, DType::f32);
        b->reduce(op, got.arg(), x.arg());
        reference().reduce(op, want.arg(), x.arg());
        expect_same(got, want, "reduce");
      }
  }
}

TEST_CASE("conformance: batched matmul with transposed, strided and broadcast operands") {
  for (Backend* b : backends_under_test("matmul")) {
    CAPTURE(b->name());
    Generator g(5);
    for (DType dt : kFloatTypes)
      for (int trial = 0; trial < 24; ++trial) {
        int64_t batch = pick(g, 1, 3), m = pick(g, 1, 33), k = pick(g, 1, 40), n = pick(g, 1, 29);
        if (trial == 0) m = k = n = 64;
        CAPTURE(trial);
        CAPTURE(shape_str({batch, m, k, n}));
        Tensor a = trial % 2 ? transpose(random({batch, k, m}, dt, g), 1, 2) : random({batch, m, k}, dt, g);
        Tensor c = trial % 3 ? transpose(random({batch, n, k}, dt, g), 1, 2) : random({batch, k, n}, dt, g, trial % 4 == 0);
        if (trial % 5 == 0) a = a.alias({batch, m, k}, {0, a.strides()[1], a.strides()[2]}, a.offset());  // batch broadcast
        Tensor got = empty({batch, m, n}, dt), want = empty({batch, m, n}, dt);
        b->matmul(got.arg(), a.arg(), c.arg());
        reference().matmul(want.arg(), a.arg(), c.arg());
        expect_same(got, want, "matmul");
      }
  }
}

namespace {

struct ConvCase {
  Shape x, w;
  ConvParams p;
};

Shape conv_output(const ConvCase& c) {
  Shape out{c.x[0], c.w[0]};
  for (size_t d = 0; d + 2 < c.x.size(); ++d)
    out.push_back((c.x[2 + d] + 2 * c.p.padding[d] - c.p.dilation[d] * (c.w[2 + d] - 1) - 1) / c.p.stride[d] + 1);
  return out;
}

std::vector<ConvCase> conv_cases() {
  return {
      {{2, 3, 11}, {4, 3, 3}, {{1}, {1}, {1}, 1}},
      {{1, 4, 13}, {6, 2, 5}, {{2}, {2}, {2}, 2}},
      {{2, 3, 7, 9}, {5, 3, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 1}},
      {{2, 8, 8, 8}, {8, 8, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 1}},
      {{1, 4, 9, 10}, {6, 2, 3, 1}, {{2, 1}, {1, 0}, {1, 1}, 2}},
      {{2, 6, 10, 7}, {6, 1, 3, 3}, {{2, 2}, {1, 1}, {2, 1}, 6}},
      {{1, 5, 6, 6}, {3, 5, 1, 1}, {{1, 1}, {0, 0}, {1, 1}, 1}},
      {{1, 3, 5, 7, 6}, {4, 3, 3, 3, 3}, {{1, 2, 1}, {1, 1, 1}, {1, 1, 2}, 1}},
      {{2, 4, 3, 6, 6}, {4, 2, 1, 3, 3}, {{1, 1, 1}, {0, 1, 1}, {1, 1, 1}, 2}},
      // Few channels, stride 1: the direct kernels of openblas/thin_conv.h. CBAM's 7×7 from 2
      // channels to 1 on a map narrower than the kernel's reach, a dilated one, asymmetric
      // padding and kernel, padding wider than the kernel (output larger than the input), and
      // rows long enough for the vector loops and their tails.
      {{2, 2, 9, 11}, {1, 2, 7, 7}, {{1, 1}, {3, 3}, {1, 1}, 1}},
      {{1, 2, 5, 4}, {1, 2, 7, 7}, {{1, 1}, {3, 3}, {1, 1}, 1}},
      {{2, 1, 8, 7}, {3, 1, 3, 3}, {{1, 1}, {2, 2}, {2, 2}, 1}},
      {{1, 3, 6, 9}, {2, 3, 3, 5}, {{1, 1}, {1, 0}, {1, 1}, 1}},
      {{1, 1, 4, 5}, {1, 1, 3, 3}, {{1, 1}, {3, 3}, {1, 1}, 1}},
      {{2, 2, 5, 45}, {2, 2, 1, 7}, {{1, 1}, {0, 3}, {1, 3}, 1}},
      // 3×3, stride 1, at least 16 channels in and out: Winograd in the onednn backend on an
      // AVX-512 CPU (direct elsewhere), on maps that are and are not whole 4×4 tiles, padded
      // and not.
      {{2, 16, 8, 8}, {32, 16, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 1}},
      {{1, 32, 7, 9}, {16, 32, 3, 3}, {{1, 1}, {1, 1}, {1, 1}, 1}},
      {{2, 16, 6, 5}, {16, 16, 3, 3}, {{1, 1}, {0, 0}, {1, 1}, 1}},
  };
}

}  // namespace

TEST_CASE("conformance: convolution forward, backward-data and backward-weight (apart and in one call), 1D to 3D") {
  for (Backend* b : backends_under_test("conv_forward, conv_backward_data, conv_backward_weight")) {
    CAPTURE(b->name());
    Generator g(6);
    for (DType dt : kFloatTypes)
      for (const ConvCase& c : conv_cases()) {
        CAPTURE(shape_str(c.x));
        CAPTURE(shape_str(c.w));
        Tensor x = random(c.x, dt, g), w = random(c.w, dt, g);
        Shape out = conv_output(c);
        Tensor got = empty(out, dt), want = empty(out, dt);
        b->conv_forward(got.arg(), x.arg(), w.arg(), c.p);
        reference().conv_forward(want.arg(), x.arg(), w.arg(), c.p);
        expect_same(got, want, "conv_forward");
        Tensor gy = random(out, dt, g);
        Tensor gx_got = empty(c.x, dt), gx_want = empty(c.x, dt);
        b->conv_backward_data(gx_got.arg(), gy.arg(), w.arg(), c.p);
        reference().conv_backward_data(gx_want.arg(), gy.arg(), w.arg(), c.p);
        expect_same(gx_got, gx_want, "conv_backward_data");
        Tensor gw_got = empty(c.w, dt), gw_want = empty(c.w, dt);
        b->conv_backward_weight(gw_got.arg(), gy.arg(), x.arg(), c.p);
        reference().conv_backward_weight(gw_want.arg(), gy.arg(), x.arg(), c.p);
        expect_same(gw_got, gw_want, "conv_backward_weight");
        // Both gradients in one call (the onednn backend reorders grad_out once for both): the
        // same bits as the two calls.
        Tensor gx_both = empty(c.x, dt), gw_both = empty(c.w, dt);
        b->conv_backward(gx_both.arg(), gw_both.arg(), gy.arg(), x.arg(), w.arg(), c.p);
        CHECK(gx_both.to_vector<double>() == gx_got.to_vector<double>());
        CHECK(gw_both.to_vector<double>() == gw_got.to_vector<double>());
      }
  }
}

TEST_CASE("conformance: max, average and adaptive pooling, forward and backward") {
  struct PoolCase {
    Shape x, out;
    PoolParams p;
  };
  // Output sizes as PyTorch computes them (ceil mode included) for each case.
  const PoolCase cases[] = {
      {{2, 3, 9}, {2, 3, 5}, {{3}, {2}, {1}, {1}, true}},
      {{2, 3, 8, 8}, {2, 3, 4, 4}, {{2, 2}, {2, 2}, {0, 0}, {1, 1}, true}},
      {{1, 2, 7, 9}, {1, 2, 4, 5}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, true}},    // ceil mode: window past the edge
      {{1, 2, 7, 9}, {1, 2, 4, 5}, {{3, 3}, {2, 2}, {1, 1}, {1, 1}, false}},
      {{2, 2, 6, 7}, {2, 2, 4, 3}, {{2, 2}, {1, 2}, {0, 0}, {2, 2}, true}},    // dilated (max only)
      {{1, 2, 4, 6, 6}, {1, 2, 4, 3, 3}, {{1, 2, 2}, {1, 2, 2}, {0, 0, 0}, {1, 1, 1}, true}},
  };
  for (Backend* b : backends_under_test("max_pool, avg_pool, adaptive_avg_pool (forward and backward)")) {
    CAPTURE(b->name());
    Generator g(7);
    for (DType dt : kFloatTypes)
      for (const PoolCase& c : cases) {
        CAPTURE(shape_str(c.x));
        CAPTURE(shape_str(c.out));
        Tensor x = random(c.x, dt, g);
        Tensor got = empty(c.out, dt), want = empty(c.out, dt);
        Tensor idx_got = empty(c.out, DType::i64), idx_want = empty(c.out, DType::i64);
        b->max_pool_forward(got.arg(), idx_got.arg(), x.arg(), c.p);
        reference().max_pool_forward(want.arg(), idx_want.arg(), x.arg(), c.p);
        expect_same(got, want, "max_pool_forward");
        CHECK(idx_got.to_vector<int64_t>() == idx_want.to_vector<int64_t>());
        Tensor gy = random(c.out, dt, g);
        Tensor gx_got = empty(c.x, dt), gx_want = empty(c.x, dt);
        b->max_pool_backward(gx_got.arg(), gy.arg(), idx_want.arg());
        reference().max_pool_backward(gx_want.arg(), gy.arg(), idx_want.arg());
        expect_same(gx_got, gx_want, "max_pool_backward");
        bool dilated = false;
        for (int64_t d : c.p.dilation) dilated = dilated || d != 1;
        if (dilated) continue;
        for (bool include_pad : {true, false}) {
          CAPTURE(include_pad);
          PoolParams p = c.p;
          p.count_include_pad = include_pad;
          b->avg_pool_forward(got.arg(), x.arg(), p);
          reference().avg_pool_forward(want.arg(), x.arg(), p);
          expect_same(got, want, "avg_pool_forward");
          b->avg_pool_backward(gx_got.arg(), gy.arg(), p);
          reference().avg_pool_backward(gx_want.arg(), gy.arg(), p);
          expect_same(gx_got, gx_want, "avg_pool_backward");
        }
      }
    for (DType dt : kFloatTypes)
      for (const auto& [in, out] : std::vector<std::pair<Shape, Shape>>{{{2, 3, 10}, {2, 3, 4}}, {{2, 3, 7, 5}, {2, 3, 3, 2}},
                                                                         {{1, 4, 8, 8}, {1, 4, 1, 1}}, {{1, 2, 3, 5, 4}, {1, 2, 2, 3, 3}}}) {
        CAPTURE(shape_str(in));
        Tensor x = random(in, dt, g), gy = random(out, dt, g);
        Tensor got = empty(out, dt), want = empty(out, dt), gx_got = empty(in, dt), gx_want = empty(in, dt);
        b->adaptive_avg_pool_forward(got.arg(), x.arg());
        reference().adaptive_avg_pool_forward(want.arg(), x.arg());
        expect_same(got, want, "adaptive_avg_pool_forward");
        b->adaptive_avg_pool_backward(gx_got.arg(), gy.arg());
        reference().adaptive_avg_pool_backward(gx_want.arg(), gy.arg());
        expect_same(gx_got, gx_want, "adaptive_avg_pool_backward");
      }
  }
}

TEST_CASE("conformance: batch norm forward and backward, with and without affine parameters") {
  for (Backend* b : backends_under_test("batch_norm_forward, batch_norm_backward")) {
    CAPTURE(b->name());
    Generator g(8);
    for (DType dt : kFloatTypes)
      for (const Shape& shape : {Shape{6, 5}, Shape{4, 3, 7, 5}, Shape{2, 4, 3, 4, 5}, Shape{8, 16, 9, 9}})
        for (bool affine : {true, false}) {
          CAPTURE(shape_str(shape));
          CAPTURE(affine);
          int64_t c = shape[1];
          Tensor x = random(shape, dt, g, false, -1.0, 3.0);
          Tensor w = affine ? random({c}, dt, g) : Tensor(), bias = affine ? random({c}, dt, g) : Tensor();
          auto opt = [](const Tensor& t) { return t.defined() ? t.arg() : KernelArg{}; };
          Tensor got = empty(shape, dt), want = empty(shape, dt);
          Tensor mean_got = empty({c}, dt), mean_want = empty({c}, dt), inv_got = empty({c}, dt), inv_want = empty({c}, dt);
          b->batch_norm_forward(got.arg(), mean_got.arg(), inv_got.arg(), x.arg(), opt(w), opt(bias), 1e-5);
          reference().batch_norm_forward(want.arg(), mean_want.arg(), inv_want.arg(), x.arg(), opt(w), opt(bias), 1e-5);
          expect_same(got, want, "batch_norm_forward");
          expect_same(mean_got, mean_want, "batch_norm_forward mean");
          expect_same(inv_got, inv_want, "batch_norm_forward invstd");
          Tensor gy = random(shape, dt, g);
          Tensor gx_got = empty(shape, dt), gx_want = empty(shape, dt);
          Tensor gw_got = empty({c}, dt), gw_want = empty({c}, dt), gb_got = empty({c}, dt), gb_want = empty({c}, dt);
          b->batch_norm_backward(gx_got.arg(), affine ? gw_got.arg() : KernelArg{}, affine ? gb_got.arg() : KernelArg{}, gy.arg(),
                                 x.arg(), opt(w), mean_want.arg(), inv_want.arg());
          reference().batch_norm_backward(gx_want.arg(), affine ? gw_want.arg() : KernelArg{}, affine ? gb_want.arg() : KernelArg{},
                                          gy.arg(), x.arg(), opt(w), mean_want.arg(), inv_want.arg());
          expect_same(gx_got, gx_want, "batch_norm_backward grad_x");
          if (affine) {
            expect_same(gw_got, gw_want, "batch_norm_backward grad_weight");
            expect_same(gb_got, gb_want, "batch_norm_backward grad_bias");
          }
        }
  }
}

TEST_CASE("conformance: softmax and log-softmax along every dim, forward and backward") {
  for (Backend* b : backends_under_test("softmax_forward, softmax_backward")) {
    CAPTURE(b->name());
    Generator g(9);
    for (DType dt : kFloatTypes)
      for (const Shape& shape : {Shape{7}, Shape{3, 17}, Shape{2, 5, 9}, Shape{4, 1, 6, 3}, Shape{8, 64, 65}, Shape{3, 1000}})
        for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim)
          for (bool log : {false, true}) {
            CAPTURE(shape_str(shape));
            CAPTURE(dim);
            CAPTURE(log);
            Tensor x = random(shape, dt, g, false, -4.0, 4.0);
            Tensor got = empty(shape, dt), want = empty(shape, dt);
            b->softmax_forward(got.arg(), x.arg(), dim, log);
            reference().softmax_forward(want.arg(), x.arg(), dim, log);
            expect_same(got, want, "softmax_forward");
            Tensor gy = random(shape, dt, g);
            Tensor gx_got = empty(shape, dt), gx_want = empty(shape, dt);
            b->softmax_backward(gx_got.arg(), gy.arg(), want.arg(), dim, log);
            reference().softmax_backward(gx_want.arg(), gy.arg(), want.arg(), dim, log);
            expect_same(gx_got, gx_want, "softmax_backward");
          }
  }
}

TEST_CASE("conformance: nearest and linear upsampling, forward and backward, 1D to 3D") {
  const std::pair<Shape, Shape> cases[] = {{{2, 3, 5}, {2, 3, 11}}, {{1, 2, 3, 4}, {1, 2, 7, 9}}, {{1, 2, 6, 7}, {1, 2, 3, 4}},
                                           {{2, 1, 2, 3, 2}, {2, 1, 3, 5, 4}}};
  for (Backend* b : backends_under_test("upsample_forward, upsample_backward")) {
    CAPTURE(b->name());
    Generator g(10);
    for (DType dt : kFloatTypes)
      for (const auto& [in, out] : cases)
        for (UpsampleMode mode : {UpsampleMode::nearest, UpsampleMode::linear})
          for (bool align : {false, true}) {
            if (mode == UpsampleMode::nearest && align) continue;
            CAPTURE(shape_str(in));
            CAPTURE(static_cast<int>(mode));
            CAPTURE(align);
            Tensor x = random(in, dt, g), gy = random(out, dt, g);
            Tensor got = empty(out, dt), want = empty(out, dt), gx_got = empty(in, dt), gx_want = empty(in, dt);
            b->upsample_forward(mode, align, got.arg(), x.arg());
            reference().upsample_forward(mode, align, want.arg(), x.arg());
            expect_same(got, want, "upsample_forward");
            b->upsample_backward(mode, align, gx_got.arg(), gy.arg());
            reference().upsample_backward(mode, align, gx_want.arg(), gy.arg());
            expect_same(gx_got, gx_want, "upsample_backward");
          }
  }
}

TEST_CASE("conformance: the NLL gather and scatter with class weights and ignore_index") {
  for (Backend* b : backends_under_test("nll_loss_forward, nll_loss_backward")) {
    CAPTURE(b->name());
    Generator g(11);
    for (DType dt : kFloatTypes)
      for (bool weighted : {false, true}) {
        int64_t rows = 37, classes = 5;
        Tensor logp = random({rows, classes}, dt, g, false, -3.0, 0.0);
        std::vector<int64_t> labels;
        for (int64_t i = 0; i < rows; ++i) labels.push_back(i % 7 == 3 ? -100 : pick(g, 0, classes - 1));
        Tensor target = from_vector(labels, {rows});
        Tensor w = weighted ? random({classes}, dt, g, false, 0.1, 2.0) : Tensor();
        KernelArg warg = weighted ? w.arg() : KernelArg{};
        Tensor loss_got = empty({rows}, dt), loss_want = empty({rows}, dt), sw_got = empty({rows}, dt), sw_want = empty({rows}, dt);
        b->nll_loss_forward(loss_got.arg(), sw_got.arg(), logp.arg(), target.arg(), warg, -100);
        reference().nll_loss_forward(loss_want.arg(), sw_want.arg(), logp.arg(), target.arg(), warg, -100);
        expect_same(loss_got, loss_want, "nll_loss_forward");
        expect_same(sw_got, sw_want, "nll_loss_forward weights");
        Tensor gl = random({rows}, dt, g);
        Tensor gx_got = empty({rows, classes}, dt), gx_want = empty({rows, classes}, dt);
        b->nll_loss_backward(gx_got.arg(), gl.arg(), target.arg(), warg, -100);
        reference().nll_loss_backward(gx_want.arg(), gl.arg(), target.arg(), warg, -100);
        expect_same(gx_got, gx_want, "nll_loss_backward");
      }
  }
}
