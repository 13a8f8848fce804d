// Concatenation attention (Backend::relu_pair_forward / relu_pair_backward, relu_pair_attention):
// the CPU backends' sorted form against the reference's every-pair loops, ties and exact zeros
// included; the autograd op against finite differences in f64 on every CPU backend; and against
// the materialized ReLU(a_i + k_j) map it replaces, in f32.
#include <cmath>

#include "framework/backend_registry.h"
#include "framework/host_allocator.h"
#include "support/scoped_backend.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

void expect_relu_pair_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  REQUIRE(got.shape() == want.shape());
  std::vector<double> g = got.to_vector<double>(), w = want.to_vector<double>();
  double worst = 0.0;
  for (size_t i = 0; i < g.size(); ++i) {
    double err = std::abs(g[i] - w[i]) / (1.0 + std::abs(w[i]));
    if (!(err <= worst)) worst = std::isnan(err) ? INFINITY : err;
  }
  INFO(what << ": worst relative error " << worst);
  CHECK(worst <= tol);
}

// Values on a grid of quarters: many equal keys (ties in the sort) and pairs summing to exactly 0
// (ReLU'(0) = 0 on both sides).
Tensor quarter_grid(const Shape& shape, Generator& g, DType dtype) {
  std::vector<double> values = uniform(shape, -8.0, 8.0, DType::f64, &g).to_vector<double>();
  for (double& x : values) x = std::round(x) / 4.0;
  return from_vector(values, shape, dtype);
}

struct ReluPairCase {
  int64_t batch, queries, keys, channels;
};
const ReluPairCase kReluPairCases[] = {{1, 1, 1, 1}, {2, 37, 53, 5}, {3, 130, 70, 16}, {1, 9, 200, 3}};

}  // namespace

TEST_CASE("conformance: relu_pair forward and backward match the reference, with ties and exact zeros") {
  Backend& ref = get_backend("reference");
  for (const std::string& name : available_backends()) {
    if (name == "reference") continue;
    Backend& b = get_backend(name);
    CAPTURE(name);
    Generator g(11);
    for (DType dt : {DType::f32, DType::f64})
      for (const ReluPairCase& c : kReluPairCases)
        for (bool grid : {false, true}) {
          CAPTURE(c.queries); CAPTURE(c.keys); CAPTURE(c.channels); CAPTURE(grid);
          double tol = dt == DType::f64 ? 1e-12 : 1e-6;
          Tensor a = grid ? quarter_grid({c.batch, c.queries}, g, dt) : uniform({c.batch, c.queries}, -1.0, 1.0, dt, &g);
          Tensor k = grid ? quarter_grid({c.batch, c.keys}, g, dt) : uniform({c.batch, c.keys}, -1.0, 1.0, dt, &g);
          Tensor v = uniform({c.batch, c.keys, c.channels}, -1.0, 1.0, dt, &g);
          double scale = 1.0 / static_cast<double>(c.keys);
          Shape out_shape{c.batch, c.queries, c.channels};
          Tensor out = empty(out_shape, dt), out_ref = empty(out_shape, dt);
          b.relu_pair_forward(out.arg(), a.arg(), k.arg(), v.arg(), scale);
          ref.relu_pair_forward(out_ref.arg(), a.arg(), k.arg(), v.arg(), scale);
          expect_relu_pair_close(out, out_ref, tol, "out");
          Tensor grad_out = uniform(out_shape, -1.0, 1.0, dt, &g);
          Tensor ga = empty(a.shape(), dt), gk = empty(k.shape(), dt), gv = empty(v.shape(), dt);
          Tensor ga_ref = empty(a.shape(), dt), gk_ref = empty(k.shape(), dt), gv_ref = empty(v.shape(), dt);
          b.relu_pair_backward(ga.arg(), gk.arg(), gv.arg(), grad_out.arg(), a.arg(), k.arg(), v.arg(), scale);
          ref.relu_pair_backward(ga_ref.arg(), gk_ref.arg(), gv_ref.arg(), grad_out.arg(), a.arg(), k.arg(), v.arg(), scale);
          expect_relu_pair_close(ga, ga_ref, tol, "grad_a");
          expect_relu_pair_close(gk, gk_ref, tol, "grad_k");
          expect_relu_pair_close(gv, gv_ref, tol, "grad_v");
        }
  }
}

TEST_CASE("gradcheck: relu_pair_attention in f64 on every CPU backend, Nq != Nk, batch 2") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    ScopedBackend use(name);
    Tensor a = leaf({2, 6}, 301), k = leaf({2, 9}, 302), v = leaf({2, 9, 4}, 303);
    check_gradients([](const std::vector<Tensor>& in) { return relu_pair_attention(in[0], in[1], in[2], 0.7); }, {a, k, v});
    // Non-contiguous inputs are made contiguous by the op.
    Tensor vt = leaf({2, 4, 9}, 304);
    check_gradients([](const std::vector<Tensor>& in) { return relu_pair_attention(in[0], in[1], transpose(in[2], 1, 2)); },
                    {a, k, vt});
  }
}

TEST_CASE("relu_pair_attention equals the materialized ReLU(a_i + k_j) map times v, values and gradients, in f32") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    ScopedBackend use(name);
    Generator g(23);
    Tensor a = uniform({2, 150}, -1.5, 1.5, DType::f32, &g).set_requires_grad(true);
    Tensor k = uniform({2, 133}, -1.5, 1.5, DType::f32, &g).set_requires_grad(true);
    Tensor v = uniform({2, 133, 9}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
    Tensor w = uniform({2, 150, 9}, -1.0, 1.0, DType::f32, &g);
    const double scale = 1.0 / 133.0;
    Tensor fused = relu_pair_attention(a, k, v, scale);
    sum(fused * w).backward();
    Tensor ga = a.grad(), gk = k.grad(), gv = v.grad();
    a.set_grad(Tensor());
    k.set_grad(Tensor());
    v.set_grad(Tensor());
    Tensor materialized = matmul(relu(unsqueeze(a, 2) + unsqueeze(k, 1)), v) * scale;
    sum(materialized * w).backward();
    expect_relu_pair_close(fused, materialized, 1e-5, "output");
    expect_relu_pair_close(ga, a.grad(), 1e-5, "grad a");
    expect_relu_pair_close(gk, k.grad(), 1e-5, "grad k");
    expect_relu_pair_close(gv, v.grad(), 1e-5, "grad v");
  }
}

TEST_CASE("relu_pair_attention names the shapes it expected when they disagree") {
  CHECK_THROWS_WITH_AS(relu_pair_attention(zeros({2, 5}), zeros({2, 7}), zeros({2, 6, 3})),
                       doctest::Contains("expected a [B,Nq], k [B,Nk], v [B,Nk,C]"), Error);
  CHECK_THROWS_WITH_AS(relu_pair_attention(zeros({2, 5, 1}), zeros({2, 7}), zeros({2, 7, 3})),
                       doctest::Contains("got [2,5,1]"), Error);
}

TEST_CASE("relu_pair_attention's peak memory grows with the positions, not their square") {
  // 4096 positions: the map alone would be 64 MiB; the op's output and gradients are about
  // 1 MiB (its kernels' sort orders and prefix sums, 2 MiB in double, are not tensors).
  ScopedBackend use(fastest_backend());
  Generator g(5);
  Tensor a = uniform({1, 4096}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  Tensor k = uniform({1, 4096}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  Tensor v = uniform({1, 4096, 32}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  reset_host_peak();
  size_t start = host_allocator_stats().in_use;
  sum(relu_pair_attention(a, k, v, 1.0 / 4096.0)).backward();
  CHECK(host_allocator_stats().peak_in_use - start < (size_t{8} << 20));
  CHECK(k.grad().defined());
}
