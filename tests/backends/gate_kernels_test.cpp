// The gating kernels (Backend::gate_multiply_* and mean_max_pool_*) and their autograd ops:
// every CPU backend against the reference's one-element-at-a-time loops, ties included; the ops
// against finite differences in f64 on every CPU backend; and against the compositions they
// replace (x * gate, mean and max reductions), values and gradients.
#include <cmath>

#include "autograd/ops.h"
#include "framework/backend_registry.h"
#include "support/golden.h"
#include "support/scoped_backend.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

// Values on a grid of quarters: many equal values, so the max has ties to share its gradient.
Tensor gate_quarter_grid(const Shape& shape, Generator& g, DType dtype) {
  std::vector<double> values = uniform(shape, -3.0, 3.0, DType::f64, &g).to_vector<double>();
  for (double& x : values) x = std::round(x) / 4.0;
  return from_vector(values, shape, dtype);
}

struct GateKernelCase {
  int64_t batch, channels, length;
};
// Lengths around the CPU kernels' 8-wide rows and 256-position blocks, and a 1-channel x.
const GateKernelCase kGateKernelCases[] = {{1, 1, 1}, {2, 3, 7}, {2, 5, 300}, {3, 16, 257}, {1, 1, 513}, {8, 64, 1024}};

}  // namespace

TEST_CASE("conformance: gate_multiply and mean_max_pool match the reference per channel and per position, with ties") {
  Backend& ref = get_backend("reference");
  for (const std::string& name : available_backends()) {
    if (name == "reference") continue;
    Backend& b = get_backend(name);
    CAPTURE(name);
    Generator g(7);
    for (DType dt : {DType::f32, DType::f64})
      for (const GateKernelCase& c : kGateKernelCases)
        for (bool per_channel : {true, false})
          for (bool grid : {false, true}) {
            CAPTURE(c.channels); CAPTURE(c.length); CAPTURE(per_channel); CAPTURE(grid);
            double tol = dt == DType::f64 ? 1e-12 : 1e-6;
            Shape xs{c.batch, c.channels, c.length};
            Shape small = per_channel ? Shape{c.batch, c.channels, 1} : Shape{c.batch, 1, c.length};
            Tensor x = grid ? gate_quarter_grid(xs, g, dt) : uniform(xs, -1.0, 1.0, dt, &g);
            Tensor gate = uniform(small, 0.0, 1.0, dt, &g), grad_out = uniform(xs, -1.0, 1.0, dt, &g);

            Tensor out = empty(xs, dt), out_ref = empty(xs, dt);
            b.gate_multiply_forward(out.arg(), x.arg(), gate.arg());
            ref.gate_multiply_forward(out_ref.arg(), x.arg(), gate.arg());
            check_relative(out, out_ref, tol, "gate_multiply out");
            Tensor gx = empty(xs, dt), gx_ref = empty(xs, dt), gg = empty(small, dt), gg_ref = empty(small, dt);
            b.gate_multiply_backward(gx.arg(), gg.arg(), grad_out.arg(), x.arg(), gate.arg());
            ref.gate_multiply_backward(gx_ref.arg(), gg_ref.arg(), grad_out.arg(), x.arg(), gate.arg());
            check_relative(gx, gx_ref, tol, "gate_multiply grad_x");
            check_relative(gg, gg_ref, tol, "gate_multiply grad_gate");
            // The gradient of a sum: one value, every stride 0.
            KernelArg broadcast = grad_out.arg();
            broadcast.strides = {0, 0, 0};
            b.gate_multiply_backward(gx.arg(), gg.arg(), broadcast, x.arg(), gate.arg());
            ref.gate_multiply_backward(gx_ref.arg(), gg_ref.arg(), broadcast, x.arg(), gate.arg());
            check_relative(gx, gx_ref, tol, "gate_multiply grad_x, broadcast grad_out");
            check_relative(gg, gg_ref, tol, "gate_multiply grad_gate, broadcast grad_out");

            Tensor mean = empty(small, dt), mx = empty(small, dt), mean_ref = empty(small, dt), mx_ref = empty(small, dt);
            b.mean_max_pool_forward(mean.arg(), mx.arg(), x.arg());
            ref.mean_max_pool_forward(mean_ref.arg(), mx_ref.arg(), x.arg());
            check_relative(mean, mean_ref, tol, "mean");
            CHECK(mx.to_vector<double>() == mx_ref.to_vector<double>());
            Tensor grad_mean = uniform(small, -1.0, 1.0, dt, &g), grad_max = uniform(small, -1.0, 1.0, dt, &g);
            Tensor px = empty(xs, dt), px_ref = empty(xs, dt);
            b.mean_max_pool_backward(px.arg(), grad_mean.arg(), grad_max.arg(), x.arg(), mx_ref.arg());
            ref.mean_max_pool_backward(px_ref.arg(), grad_mean.arg(), grad_max.arg(), x.arg(), mx_ref.arg());
            check_relative(px, px_ref, tol, "mean_max_pool grad_x");
          }
  }
}

TEST_CASE("mean_max_pool shares the max's gradient evenly among ties, as max() does") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    Backend& b = get_backend(name);
    // One row of 4 positions, the max (2) twice: each copy gets half of grad_max, every position
    // a quarter of grad_mean.
    Tensor x = from_vector(std::vector<double>{2, 1, 2, -1}, {1, 1, 4}, DType::f32);
    Tensor mean = empty({1, 1, 1}), mx = empty({1, 1, 1});
    b.mean_max_pool_forward(mean.arg(), mx.arg(), x.arg());
    CHECK(mean.to_vector<double>()[0] == 1.0);
    CHECK(mx.to_vector<double>()[0] == 2.0);
    Tensor gx = empty({1, 1, 4});
    Tensor grad_mean = from_vector(std::vector<double>{4}, {1, 1, 1}, DType::f32);
    Tensor grad_max = from_vector(std::vector<double>{6}, {1, 1, 1}, DType::f32);
    b.mean_max_pool_backward(gx.arg(), grad_mean.arg(), grad_max.arg(), x.arg(), mx.arg());
    CHECK(gx.to_vector<double>() == std::vector<double>{4, 1, 4, 1});
  }
}

TEST_CASE("gradcheck: gate_multiply, position_mean_max and channel_mean_max in f64 on every CPU backend, 1D to 3D") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    ScopedBackend use(name);
    for (const Shape& xs : {Shape{2, 3, 5}, Shape{2, 4, 3, 2}, Shape{1, 3, 2, 2, 3}}) {
      CAPTURE(shape_str(xs));
      Shape channel_gate(xs.size(), 1), position_gate = xs;
      channel_gate[0] = position_gate[0] = xs[0];
      channel_gate[1] = xs[1];
      position_gate[1] = 1;
      Tensor x = leaf(xs, 401);
      check_gradients([](const std::vector<Tensor>& in) { return gate_multiply(in[0], in[1]); }, {x, leaf(channel_gate, 402)});
      check_gradients([](const std::vector<Tensor>& in) { return gate_multiply(in[0], in[1]); }, {x, leaf(position_gate, 403)});
      check_gradients([](const std::vector<Tensor>& in) { return position_mean_max(in[0]); }, {x});
      check_gradients([](const std::vector<Tensor>& in) { return channel_mean_max(in[0]); }, {x});
      check_gradients([](const std::vector<Tensor>& in) { return channel_mean_max(in[0], true); }, {x});
    }
    // A non-contiguous x is made contiguous by the ops.
    Tensor xt = leaf({2, 4, 3}, 404);
    check_gradients([](const std::vector<Tensor>& in) { return gate_multiply(transpose(in[0], 1, 2), in[1]); },
                    {xt, leaf({2, 3, 1}, 405)});
    check_gradients([](const std::vector<Tensor>& in) { return channel_mean_max(transpose(in[0], 1, 2)); }, {xt});
  }
}

TEST_CASE("the gate ops equal the compositions they replace, values and gradients, in f32 and f64") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    ScopedBackend use(name);
    for (DType dt : {DType::f32, DType::f64}) {
      CAPTURE(dtype_name(dt));
      double tol = dt == DType::f64 ? 1e-10 : 1e-5;
      Generator g(31);
      Tensor x = uniform({3, 6, 5, 7}, -1.0, 1.0, dt, &g).set_requires_grad(true);
      Tensor w2 = uniform({3, 2, 5, 7}, -1.0, 1.0, dt, &g), wc = uniform({2, 3, 6}, -1.0, 1.0, dt, &g);
      Tensor gate_c = uniform({3, 6, 1, 1}, 0.0, 1.0, dt, &g).set_requires_grad(true);
      Tensor gate_p = uniform({3, 1, 5, 7}, 0.0, 1.0, dt, &g).set_requires_grad(true);
      Tensor wx = uniform({3, 6, 5, 7}, -1.0, 1.0, dt, &g);

      auto grads_of = [&](const std::function<Tensor()>& f, std::vector<Tensor> leaves) {
        for (Tensor& t : leaves) t.set_grad(Tensor());
        Tensor out = f();
        sum(out).backward();
        std::vector<Tensor> grads{out.detach()};
        for (Tensor& t : leaves) grads.push_back(t.grad());
        return grads;
      };
      auto compare = [&](const std::vector<Tensor>& got, const std::vector<Tensor>& want, const std::string& what) {
        REQUIRE(got.size() == want.size());
        for (size_t i = 0; i < got.size(); ++i) check_relative(got[i], want[i], tol, what + (i == 0 ? " value" : " gradient"));
      };
      compare(grads_of([&] { return gate_multiply(x, gate_c) * wx; }, {x, gate_c}), grads_of([&] { return x * gate_c * wx; }, {x, gate_c}),
              "channel gate");
      compare(grads_of([&] { return gate_multiply(x, gate_p) * wx; }, {x, gate_p}), grads_of([&] { return x * gate_p * wx; }, {x, gate_p}),
              "position gate");
      // Without a weight the gradient arrives broadcast from sum(): read in place.
      compare(grads_of([&] { return gate_multiply(x, gate_c); }, {x, gate_c}), grads_of([&] { return x * gate_c; }, {x, gate_c}),
              "channel gate, broadcast gradient");
      compare(grads_of([&] { return gate_multiply(x, gate_p); }, {x, gate_p}), grads_of([&] { return x * gate_p; }, {x, gate_p}),
              "position gate, broadcast gradient");
      compare(grads_of([&] { return channel_mean_max(x) * w2; }, {x}),
              grads_of([&] { return cat({mean(x, {1}, true), max(x, {1}, true)}, 1) * w2; }, {x}), "channel_mean_max");
      compare(grads_of([&] { return channel_mean_max(x, true) * w2; }, {x}),
              grads_of([&] { return cat({max(x, {1}, true), mean(x, {1}, true)}, 1) * w2; }, {x}), "channel_mean_max, max first");
      compare(grads_of([&] { return position_mean_max(x) * wc; }, {x}),
              grads_of([&] { return stack({flatten(mean(x, {2, 3}), 1), flatten(max(x, {2, 3}), 1)}, 0) * wc; }, {x}),
              "position_mean_max");
    }
  }
}

TEST_CASE("gate_multiply names the gate shapes it accepts when the gate fits neither") {
  CHECK_THROWS_WITH_AS(gate_multiply(zeros({2, 4, 3, 3}), zeros({2, 4, 3, 1})),
                       doctest::Contains("the gate must be [2,4,1,1] (one value per channel) or [2,1,3,3] (one per position)"),
                       Error);
  CHECK_THROWS_WITH_AS(position_mean_max(zeros({2, 4})), doctest::Contains("at least one spatial dim"), Error);
}

TEST_CASE("GateFusionOff turns the gate kernels off on this thread, and only while it lives") {
  Tensor x = zeros({1, 2, 3});
  CHECK(gate_kernels_available(x));  // every CPU backend has them
  {
    GateFusionOff off;
    CHECK_FALSE(gate_kernels_available(x));
  }
  CHECK(gate_kernels_available(x));
}
