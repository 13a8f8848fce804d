// Fused attention (Backend::attention_forward / attention_backward): every built backend against
// `reference` across tile boundaries (positions not multiples of the tiles, Nq ≠ Nk, Ck ≠ Cv,
// batch > 1), the autograd op against finite differences in f64, and against the materialized
// softmax(scale · q kᵀ) v it replaces.
#include <cmath>
#include <utility>

#include "backends/openblas/attention_tiles.h"
#include "framework/backend_registry.h"
#include "framework/host_allocator.h"
#include "support/device_staging.h"
#include "support/scoped_backend.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

std::vector<Backend*> fast_backends() {
  std::vector<Backend*> out;
  for (const std::string& name : available_backends())
    if (name != "reference") out.push_back(&get_backend(name));
  static std::string why_no_cuda;
  static std::unique_ptr<Backend> cuda = make_device_staging_backend(Device::cuda(0), why_no_cuda);
  if (cuda) out.push_back(cuda.get());
  else MESSAGE("skipped (" << why_no_cuda << "): conformance cuda attention_forward, attention_backward");
  return out;
}

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
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

struct Case {
  int64_t batch, queries, keys, key_channels, value_channels;
  double spread;  // q and k uniform in ±spread: large spreads make peaked rows (online max moves)
};

// The CPU takes every key in one tile up to 2048 keys in f32 and 1024 in f64, and walks longer
// rows online in tiles of 1024 (f32) or 512 (f64) keys (backends/openblas/attention_tiles.h);
// the backward splits the keys when the batch alone would leave a thread idle (odd batches).
// The GPU gives each thread a row, in blocks of 64, and streams the other side's rows through
// 40 KiB of shared memory, up to 64 at a time (C = 17 + 33: 64 rows; 64 + 64: 64, and 40 in f64;
// 256 + 256: 20 and 10), or from global memory when one row is wider than that (3000 + 2800 in
// f64; 6000 + 5000 in both dtypes; cuda_plan_test.cpp). These cross all of them unevenly.
const Case kCases[] = {
    {1, 1, 1, 1, 1, 1.0},       {2, 67, 45, 8, 5, 1.0},     {3, 130, 257, 16, 24, 1.0},
    {1, 200, 129, 32, 32, 0.5}, {2, 65, 300, 7, 3, 3.0},    {1, 70, 1024, 3, 4, 3.0},
    {3, 33, 1025, 5, 2, 3.0},   {1, 40, 2048, 4, 3, 2.0},   {2, 37, 2049, 5, 6, 3.0},
    {2, 129, 67, 17, 33, 2.0},  {2, 100, 77, 64, 64, 1.0},  {1, 70, 90, 256, 256, 1.0},
    {2, 66, 9, 3000, 2800, 1.0}, {1, 5, 7, 6000, 5000, 1.0},
};

}  // namespace

TEST_CASE("conformance: fused attention forward and backward match the reference across tile edges") {
  Backend& ref = get_backend("reference");
  for (Backend* b : fast_backends()) {
    CAPTURE(b->name());
    Generator g(7);
    for (DType dt : {DType::f32, DType::f64})
      for (const Case& c : kCases) {
        CAPTURE(c.batch); CAPTURE(c.queries); CAPTURE(c.keys); CAPTURE(c.key_channels); CAPTURE(c.value_channels);
        double tol = dt == DType::f64 ? 1e-9 : 2e-5;
        Tensor q = uniform({c.batch, c.queries, c.key_channels}, -c.spread, c.spread, dt, &g);
        Tensor k = uniform({c.batch, c.keys, c.key_channels}, -c.spread, c.spread, dt, &g);
        Tensor v = uniform({c.batch, c.keys, c.value_channels}, -1.0, 1.0, dt, &g);
        double scale = 1.0 / std::sqrt(static_cast<double>(c.key_channels));
        Shape out_shape{c.batch, c.queries, c.value_channels}, lse_shape{c.batch, c.queries};
        Tensor out = empty(out_shape, dt), lse = empty(lse_shape, dt);
        Tensor out_ref = empty(out_shape, dt), lse_ref = empty(lse_shape, dt);
        b->attention_forward(out.arg(), lse.arg(), q.arg(), k.arg(), v.arg(), scale);
        ref.attention_forward(out_ref.arg(), lse_ref.arg(), q.arg(), k.arg(), v.arg(), scale);
        expect_close(out, out_ref, tol, "out");
        expect_close(lse, lse_ref, tol, "lse");

        Tensor grad_out = uniform(out_shape, -1.0, 1.0, dt, &g);
        Tensor gq = empty(q.shape(), dt), gk = empty(k.shape(), dt), gv = empty(v.shape(), dt);
        Tensor gq_ref = empty(q.shape(), dt), gk_ref = empty(k.shape(), dt), gv_ref = empty(v.shape(), dt);
        b->attention_backward(gq.arg(), gk.arg(), gv.arg(), grad_out.arg(), q.arg(), k.arg(), v.arg(), out_ref.arg(),
                              lse_ref.arg(), scale);
        ref.attention_backward(gq_ref.arg(), gk_ref.arg(), gv_ref.arg(), grad_out.arg(), q.arg(), k.arg(), v.arg(),
                               out_ref.arg(), lse_ref.arg(), scale);
        expect_close(gq, gq_ref, tol, "grad_q");
        expect_close(gk, gk_ref, tol, "grad_k");
        expect_close(gv, gv_ref, tol, "grad_v");
      }
  }
}

namespace {

// A tensor equal to t ([B, N, C]) stored channel-major: the transpose of a contiguous [B, C, N].
Tensor channel_major_copy(const Tensor& t) { return transpose(contiguous(transpose(t, 1, 2)), 1, 2); }
Tensor channel_major_empty(const Shape& s, DType dt) { return transpose(empty({s[0], s[2], s[1]}, dt), 1, 2); }

}  // namespace

TEST_CASE("conformance: fused attention reads and writes channel-major operands in place, as the reference does") {
  Backend& ref = get_backend("reference");
  std::vector<Backend*> backends = fast_backends();
  backends.push_back(&ref);
  // Which of q, k, v, out, grad_out, grad_q, grad_k, grad_v are channel-major: all, the
  // query/key side only, the value side only, and a mix.
  const unsigned kLayouts[] = {0xffu, 0x63u, 0x9cu, 0x5au};
  const Case kLayoutCases[] = {{2, 67, 45, 8, 5, 1.0}, {3, 130, 257, 16, 24, 1.0}, {1, 70, 1024, 3, 4, 3.0},
                               {2, 37, 2049, 5, 6, 3.0}};
  for (Backend* b : backends) {
    if (!b->attention_takes_channel_major()) continue;
    CAPTURE(b->name());
    Generator g(11);
    for (DType dt : {DType::f32, DType::f64})
      for (const Case& c : kLayoutCases)
        for (unsigned layout : kLayouts) {
          CAPTURE(c.queries); CAPTURE(c.keys); CAPTURE(layout);
          auto cm = [layout](int bit) { return (layout >> bit & 1u) != 0; };
          auto place = [&](const Tensor& t, int bit) { return cm(bit) ? channel_major_copy(t) : t; };
          auto make = [&](const Shape& s, int bit) { return cm(bit) ? channel_major_empty(s, dt) : empty(s, dt); };
          double tol = dt == DType::f64 ? 1e-9 : 2e-5;
          Tensor q = uniform({c.batch, c.queries, c.key_channels}, -c.spread, c.spread, dt, &g);
          Tensor k = uniform({c.batch, c.keys, c.key_channels}, -c.spread, c.spread, dt, &g);
          Tensor v = uniform({c.batch, c.keys, c.value_channels}, -1.0, 1.0, dt, &g);
          Tensor grad_out = uniform({c.batch, c.queries, c.value_channels}, -1.0, 1.0, dt, &g);
          double scale = 1.0 / std::sqrt(static_cast<double>(c.key_channels));
          Shape out_shape{c.batch, c.queries, c.value_channels}, lse_shape{c.batch, c.queries};
          Tensor out_ref = empty(out_shape, dt), lse_ref = empty(lse_shape, dt);
          ref.attention_forward(out_ref.arg(), lse_ref.arg(), q.arg(), k.arg(), v.arg(), scale);
          Tensor qx = place(q, 0), kx = place(k, 1), vx = place(v, 2), out = make(out_shape, 3);
          REQUIRE(is_channel_major(qx.arg()) == cm(0));
          Tensor lse = empty(lse_shape, dt);
          b->attention_forward(out.arg(), lse.arg(), qx.arg(), kx.arg(), vx.arg(), scale);
          expect_close(out, out_ref, tol, "out");
          expect_close(lse, lse_ref, tol, "lse");

          Tensor gq_ref = empty(q.shape(), dt), gk_ref = empty(k.shape(), dt), gv_ref = empty(v.shape(), dt);
          ref.attention_backward(gq_ref.arg(), gk_ref.arg(), gv_ref.arg(), grad_out.arg(), q.arg(), k.arg(), v.arg(),
                                 out_ref.arg(), lse_ref.arg(), scale);
          Tensor out_x = place(out_ref, 3), go_x = place(grad_out, 4);
          Tensor gq = make(q.shape(), 5), gk = make(k.shape(), 6), gv = make(v.shape(), 7);
          b->attention_backward(gq.arg(), gk.arg(), gv.arg(), go_x.arg(), qx.arg(), kx.arg(), vx.arg(), out_x.arg(),
                                lse_ref.arg(), scale);
          expect_close(gq, gq_ref, tol, "grad_q");
          expect_close(gk, gk_ref, tol, "grad_k");
          expect_close(gv, gv_ref, tol, "grad_v");
        }
  }
}

TEST_CASE("conformance: fused attention with q and k one array (self-attention on one map) matches the reference") {
  Backend& ref = get_backend("reference");
  for (Backend* b : fast_backends()) {
    if (!b->attention_takes_channel_major()) continue;
    CAPTURE(b->name());
    Generator g(23);
    for (DType dt : {DType::f32, DType::f64})
      for (bool channel_major : {false, true}) {
        CAPTURE(channel_major);
        double tol = dt == DType::f64 ? 1e-9 : 2e-5;
        Tensor x = uniform({3, 130, 12}, -1.0, 1.0, dt, &g), v = uniform({3, 130, 5}, -1.0, 1.0, dt, &g);
        Tensor grad_out = uniform({3, 130, 5}, -1.0, 1.0, dt, &g);
        Tensor xs = channel_major ? channel_major_copy(x) : x;
        Tensor out = empty({3, 130, 5}, dt), lse = empty({3, 130}, dt);
        Tensor out_ref = empty({3, 130, 5}, dt), lse_ref = empty({3, 130}, dt);
        b->attention_forward(out.arg(), lse.arg(), xs.arg(), xs.arg(), v.arg(), 0.3);
        ref.attention_forward(out_ref.arg(), lse_ref.arg(), x.arg(), x.arg(), v.arg(), 0.3);
        expect_close(out, out_ref, tol, "out");
        Tensor gq = empty(x.shape(), dt), gk = empty(x.shape(), dt), gv = empty(v.shape(), dt);
        Tensor gq_ref = empty(x.shape(), dt), gk_ref = empty(x.shape(), dt), gv_ref = empty(v.shape(), dt);
        b->attention_backward(gq.arg(), gk.arg(), gv.arg(), grad_out.arg(), xs.arg(), xs.arg(), v.arg(), out_ref.arg(),
                              lse_ref.arg(), 0.3);
        ref.attention_backward(gq_ref.arg(), gk_ref.arg(), gv_ref.arg(), grad_out.arg(), x.arg(), x.arg(), v.arg(),
                               out_ref.arg(), lse_ref.arg(), 0.3);
        expect_close(gq, gq_ref, tol, "grad_q");
        expect_close(gk, gk_ref, tol, "grad_k");
        expect_close(gv, gv_ref, tol, "grad_v");
      }
  }
}

TEST_CASE("fused attention on the CPU returns its output in the layout of its channel-major queries") {
  for (const std::string& name : {std::string("reference"), cpu_backend().name()}) {
    CAPTURE(name);
    ScopedBackend use(name);
    Tensor q_map = zeros({2, 3, 5}).set_requires_grad(true);
    Tensor q = transpose(q_map, 1, 2), k = transpose(zeros({2, 3, 7}), 1, 2), v = zeros({2, 7, 4});
    Tensor out = fused_attention(q, k, v);
    CHECK(is_channel_major(out.arg()));
    CHECK(out.shape() == Shape{2, 5, 4});
    sum(out).backward();
    CHECK(q_map.grad().shape() == Shape{2, 3, 5});
    Tensor row_major = fused_attention(zeros({2, 5, 3}), k, v);
    CHECK(row_major.is_contiguous());
  }
}

TEST_CASE("the CPU's attention tiles take every key while a 32-row block fits, and split keys only to feed every thread") {
  using namespace gaze::openblas;
  auto cache = [](int64_t queries, int64_t keys, int64_t bytes) {
    AttentionTiles t = attention_cache_tiles(queries, keys, bytes);
    return std::pair{t.query_rows, t.key_cols};
  };
  CHECK(cache(1024, 1024, 4) == std::pair<int64_t, int64_t>{64, 1024});  // 256 KiB of scores
  CHECK(cache(1024, 2048, 4) == std::pair<int64_t, int64_t>{32, 2048});  // the last whole row
  CHECK(cache(1024, 2049, 4) == std::pair<int64_t, int64_t>{64, 1024});  // online from here
  CHECK(cache(1024, 1024, 8) == std::pair<int64_t, int64_t>{32, 1024});
  CHECK(cache(1024, 1025, 8) == std::pair<int64_t, int64_t>{64, 512});
  CHECK(cache(1024, 45, 4) == std::pair<int64_t, int64_t>{128, 45});
  CHECK(cache(10, 45, 4) == std::pair<int64_t, int64_t>{10, 45});
  // Backward: a batch of 8 on 2 threads keeps whole rows; 3 would idle a thread for a third of
  // the time, so each batch's keys are halved; 1 × 16384 keys has 16 tiles already.
  CHECK(attention_backward_tiles(8, 1024, 1024, 4, 2).key_cols == 1024);
  CHECK(attention_backward_tiles(3, 1024, 1024, 4, 2).key_cols == 512);
  CHECK(attention_backward_tiles(1, 1024, 1024, 4, 2).key_cols == 512);
  CHECK(attention_backward_tiles(1, 16384, 16384, 4, 2).key_cols == 1024);
  CHECK(attention_backward_tiles(1, 100, 100, 4, 2).key_cols == 100);  // not below 128 keys
  // Forward: (batch, query tile) items; 3 × 1 tile of 64 rows becomes 3 × 2 of 32.
  CHECK(attention_forward_tiles(3, 64, 1024, 4, 2).query_rows == 32);
  CHECK(attention_forward_tiles(8, 1024, 1024, 4, 2).query_rows == 64);
}

TEST_CASE("gradcheck: fused attention in f64, Nq != Nk and Ck != Cv, batch 2") {
  Tensor q = leaf({2, 5, 3}, 201), k = leaf({2, 7, 3}, 202), v = leaf({2, 7, 4}, 203);
  check_gradients([](const std::vector<Tensor>& in) { return fused_attention(in[0], in[1], in[2], 0.8); }, {q, k, v});
  // Channel-major inputs (transposed [B, C, N] maps) go to the kernels as they are, the output
  // and gradients in their layout; other strides are made contiguous by the op.
  Tensor qt = leaf({2, 3, 5}, 205), kt = leaf({2, 3, 7}, 204), vt = leaf({2, 4, 7}, 206);
  check_gradients([](const std::vector<Tensor>& in) { return fused_attention(in[0], transpose(in[1], 1, 2), in[2]); },
                  {q, kt, v});
  check_gradients(
      [](const std::vector<Tensor>& in) {
        return fused_attention(transpose(in[0], 1, 2), transpose(in[1], 1, 2), transpose(in[2], 1, 2), 0.8);
      },
      {qt, kt, vt});
  Tensor q_strided = leaf({2, 5, 6}, 207);
  check_gradients([](const std::vector<Tensor>& in) { return fused_attention(slice(in[0], 2, 0, 6, 2), in[1], in[2]); },
                  {q_strided, k, v});
}

TEST_CASE("fused attention equals the materialized softmax(scale q k^T) v, values and gradients, in f32") {
  for (const std::string& name : available_backends()) {
    CAPTURE(name);
    ScopedBackend use(name);
    Generator g(17);
    Tensor q = uniform({2, 150, 16}, -1.5, 1.5, DType::f32, &g).set_requires_grad(true);
    Tensor k = uniform({2, 133, 16}, -1.5, 1.5, DType::f32, &g).set_requires_grad(true);
    Tensor v = uniform({2, 133, 9}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
    Tensor w = uniform({2, 150, 9}, -1.0, 1.0, DType::f32, &g);
    double scale = 0.25;
    Tensor fused = fused_attention(q, k, v, scale);
    sum(fused * w).backward();
    Tensor gq = q.grad(), gk = k.grad(), gv = v.grad();
    q.set_grad(Tensor());
    k.set_grad(Tensor());
    v.set_grad(Tensor());
    Tensor materialized = matmul(softmax(matmul(q, transpose(k, 1, 2)) * scale, -1), v);
    sum(materialized * w).backward();
    expect_close(fused, materialized, 1e-5, "output");
    expect_close(gq, q.grad(), 1e-5, "grad q");
    expect_close(gk, k.grad(), 1e-5, "grad k");
    expect_close(gv, v.grad(), 1e-5, "grad v");
  }
}

TEST_CASE("fused attention names the shapes it expected when they disagree") {
  Tensor q = zeros({2, 5, 3}), k = zeros({2, 7, 4}), v = zeros({2, 7, 4});
  CHECK_THROWS_WITH_AS(fused_attention(q, k, v), doctest::Contains("expected q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv]"),
                       Error);
  CHECK_THROWS_WITH_AS(fused_attention(q, zeros({2, 0, 3}), zeros({2, 0, 4})),
                       doctest::Contains("at least one key position"), Error);
}

TEST_CASE("fused attention's peak memory grows with the positions, not their square") {
  // 1024 positions: the map alone would be 4 MiB, and the materialized
  // backward holds several such; the fused op's inputs, output and
  // log-sum-exps are about 0.5 MiB, their gradients as much.
  Generator g(3);
  Tensor q = uniform({1, 1024, 32}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  Tensor k = uniform({1, 1024, 32}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  Tensor v = uniform({1, 1024, 32}, -1.0, 1.0, DType::f32, &g).set_requires_grad(true);
  reset_host_peak();
  size_t start = host_allocator_stats().in_use;
  sum(fused_attention(q, k, v, 0.2)).backward();
  size_t peak = host_allocator_stats().peak_in_use - start;
  CHECK(peak < (size_t{2} << 20));
  CHECK(q.grad().defined());
  // The same through the map: the counter sees it.
  reset_host_peak();
  start = host_allocator_stats().in_use;
  sum(matmul(softmax(matmul(q, transpose(k, 1, 2)) * 0.2, -1), v)).backward();
  CHECK(host_allocator_stats().peak_in_use - start > (size_t{8} << 20));
}
