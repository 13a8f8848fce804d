// The CUDA backend's host-side planning, which runs on every machine: how KernelArg shapes and
// strides become kernel loop parameters, cuBLAS GEMM arguments and cuDNN descriptors. The GPU
// code only forwards these, so most of what can be wrong without a GPU is checked here.
#include <doctest/doctest.h>

#include "backends/cuda/plan/plan.h"
#include "framework/error.h"

using namespace gaze;
using namespace gaze::cuda;

namespace {

KernelArg arg(const Shape& shape, const Shape& strides, DType dtype = DType::f32) {
  return KernelArg{reinterpret_cast<void*>(0x1000), dtype, shape, strides};
}
KernelArg dense(const Shape& shape, DType dtype = DType::f32) { return arg(shape, contiguous_strides(shape), dtype); }

}  // namespace

TEST_CASE("cuda plan: elementwise loops merge contiguous dims and drop size-1 dims") {
  Shape shape{2, 3, 4}, c = contiguous_strides(shape);
  ElementwiseParams p = elementwise_params(shape, {&c, &c}, "test");
  CHECK(p.rank == 1);
  CHECK(p.numel == 24);
  CHECK(p.size[0] == 24);
  CHECK(p.stride[1][0] == 1);

  Shape broadcast{0, 1, 0};  // b broadcast along dims 0 and 2: nothing merges with it
  p = elementwise_params({2, 1, 4}, {&c, &broadcast}, "test");  // out strides as given; dim 1 dropped
  CHECK(p.rank == 2);
  CHECK(p.size[0] == 2);
  CHECK(p.size[1] == 4);
  CHECK(p.stride[0][0] == 12);
  CHECK(p.stride[1][0] == 0);
  CHECK(p.stride[1][1] == 0);

  Shape transposed{1, 2};  // a [2,3] viewed transposed: no merging
  Shape out = contiguous_strides({3, 2});
  p = elementwise_params({3, 2}, {&out, &transposed}, "test");
  CHECK(p.rank == 2);
  CHECK(p.stride[1][0] == 1);
  CHECK(p.stride[1][1] == 2);

  Shape scalar;
  p = elementwise_params({}, {&scalar}, "test");
  CHECK(p.rank == 0);
  CHECK(p.numel == 1);

  Shape many(9, 1), many_strides(9, 0);
  for (int i = 0; i < 9; ++i) {
    many[i] = 2;
    many_strides[i] = 1 << (2 * i);  // every dim stepped oddly: none merge
  }
  CHECK_THROWS_WITH_AS(elementwise_params(many, {&many_strides}, "binary"), doctest::Contains("at most 8"), Error);
}

TEST_CASE("cuda plan: reductions split kept and reduced dims") {
  KernelArg in = arg({4, 5, 6}, {30, 6, 1}), out = dense({4, 1, 6});
  ReduceParams p = reduce_params(out, in);
  CHECK(p.outputs == 24);
  CHECK(p.count == 5);
  CHECK(p.kept_rank == 2);
  CHECK(p.kept_size[0] == 4);
  CHECK(p.kept_in_stride[0] == 30);
  CHECK(p.kept_out_stride[0] == 6);
  CHECK(p.reduced_rank == 1);
  CHECK(p.reduced_size[0] == 5);
  CHECK(p.reduced_stride[0] == 6);

  p = reduce_params(dense({1, 1}), arg({3, 7}, {1, 3}));  // everything, from a transposed view
  CHECK(p.outputs == 1);
  CHECK(p.count == 21);
  CHECK(p.kept_rank == 0);
  CHECK(p.reduced_rank == 2);

  CHECK_THROWS_WITH_AS(reduce_params(dense({2, 3}), dense({4, 3})), doctest::Contains("does not fit"), Error);
  CHECK_THROWS_AS(reduce_params(dense({2}), dense({2, 3})), Error);
}

TEST_CASE("cuda plan: few outputs over many elements are split into chunks, others are not") {
  CHECK(reduce_chunk_count(1, 2 * 1024 * 1024) == 512);  // a loss over 2M elements: 512 ranges of 4096
  CHECK(reduce_chunk_count(1, 1 << 30) == 1024);         // capped at ~1024 blocks
  CHECK(reduce_chunk_count(64, 1 << 20) == 16);          // a bias gradient: 64 outputs x 16 ranges
  CHECK(reduce_chunk_count(1, 4096) == 1);               // too short to be worth a second pass
  CHECK(reduce_chunk_count(512, 1 << 20) == 1);          // enough outputs to fill the GPU
  CHECK(reduce_chunk_count(0, 1 << 20) == 1);
}

TEST_CASE("cuda plan: GEMM arguments follow the strides (row-major via column-major cuBLAS)") {
  // Contiguous: C[M,N] = A[M,K]·B[K,N] is Cᵀ = Bᵀ·Aᵀ, no transposes, leading dims N, K, N.
  GemmPlan g = gemm_plan(dense({2, 3, 5}), dense({2, 3, 4}), dense({2, 4, 5}));
  CHECK(g.ok);
  CHECK_FALSE(g.a_needs_copy);
  CHECK_FALSE(g.b_needs_copy);
  CHECK_FALSE(g.trans_first);
  CHECK_FALSE(g.trans_second);
  CHECK(g.m == 5);
  CHECK(g.n == 3);
  CHECK(g.k == 4);
  CHECK(g.ld_first == 5);
  CHECK(g.ld_second == 4);
  CHECK(g.ld_out == 5);
  CHECK(g.stride_first == 20);
  CHECK(g.stride_second == 12);
  CHECK(g.stride_out == 15);
  CHECK(g.batch == 2);

  // a is the transpose of a [B,K,M] array and b of a [B,N,K] one: both read transposed, no copy.
  g = gemm_plan(dense({2, 3, 5}), arg({2, 3, 4}, {12, 1, 3}), arg({2, 4, 5}, {20, 1, 4}));
  CHECK_FALSE(g.a_needs_copy);
  CHECK_FALSE(g.b_needs_copy);
  CHECK(g.trans_first);
  CHECK(g.trans_second);
  CHECK(g.ld_first == 4);   // b's stored [N,K] rows
  CHECK(g.ld_second == 3);  // a's stored [K,M] rows

  // A broadcast batch (stride 0) stays a stride-0 batch; a matrix with no unit stride is packed.
  g = gemm_plan(dense({3, 2, 2}), arg({3, 2, 4}, {0, 4, 1}), arg({3, 4, 2}, {16, 4, 2}));
  CHECK(g.stride_second == 0);
  CHECK(g.b_needs_copy);
  CHECK_FALSE(g.a_needs_copy);

  // Size-1 dims never force a copy, whatever their strides.
  g = gemm_plan(dense({1, 1, 7}), arg({1, 1, 3}, {99, 99, 1}), dense({1, 3, 7}));
  CHECK(g.ok);
  CHECK_FALSE(g.a_needs_copy);
  CHECK(g.ld_second >= 3);

  // An output without a unit last stride is computed into a packed buffer.
  CHECK_FALSE(gemm_plan(arg({1, 3, 5}, {15, 1, 3}), dense({1, 3, 4}), dense({1, 4, 5})).ok);
  CHECK_THROWS_WITH_AS(gemm_plan(dense({1, 3, 5}), dense({1, 3, 4}), dense({1, 3, 5})), doctest::Contains("expected out [B,M,N]"),
                       Error);
}

TEST_CASE("cuda plan: cuDNN convolution descriptors, 1D promoted to 2D") {
  ConvParams p{{2}, {1}, {3}, 2};
  ConvPlan c = conv_plan(dense({2, 4, 13}), dense({6, 2, 3}), dense({2, 6, 5}), p, "conv_forward");
  CHECK(c.spatial == 2);
  CHECK(c.x_dims == std::vector<int>{2, 4, 1, 13});
  CHECK(c.x_strides == std::vector<int>{52, 13, 13, 1});
  CHECK(c.w_dims == std::vector<int>{6, 2, 1, 3});
  CHECK(c.y_dims == std::vector<int>{2, 6, 1, 5});
  CHECK(c.padding == std::vector<int>{0, 1});
  CHECK(c.stride == std::vector<int>{1, 2});
  CHECK(c.dilation == std::vector<int>{1, 3});
  CHECK(c.groups == 2);
  CHECK(c.key.find("f32") != std::string::npos);

  ConvParams p3{{1, 2, 1}, {1, 1, 1}, {1, 1, 2}, 1};
  ConvPlan c3 = conv_plan(dense({1, 3, 5, 7, 6}, DType::f64), dense({4, 3, 3, 3, 3}, DType::f64),
                          dense({1, 4, 5, 4, 4}, DType::f64), p3, "conv_forward");
  CHECK(c3.spatial == 3);
  CHECK(c3.y_dims == std::vector<int>{1, 4, 5, 4, 4});
  CHECK(c3.key != c.key);

  Conv3Params d = conv3_params(dense({2, 4, 13}), dense({6, 2, 3}), dense({2, 6, 5}), p, "conv_forward");
  CHECK(d.in[2] == 13);
  CHECK(d.in[0] == 1);
  CHECK(d.kernel[2] == 3);
  CHECK(d.stride[2] == 2);
  CHECK(d.dilation[2] == 3);
  CHECK(d.groups == 2);

  CHECK_THROWS_WITH_AS(conv_plan(dense({2, 4, 13}), dense({6, 3, 3}), dense({2, 6, 5}), p, "conv_forward"),
                       doctest::Contains("does not fit"), Error);
  CHECK_THROWS_WITH_AS(conv_plan(arg({2, 4, 13}, {52, 1, 4}), dense({6, 2, 3}), dense({2, 6, 5}), p, "conv_forward"),
                       doctest::Contains("contiguous"), Error);
}

TEST_CASE("cuda plan: pooling geometry and softmax layout") {
  Spatial3Params s = spatial3_params(dense({2, 3, 9}), dense({2, 3, 5}), "max_pool_forward");
  CHECK(s.planes == 6);
  CHECK(s.in[0] == 1);
  CHECK(s.in[2] == 9);
  CHECK(s.out[2] == 5);
  PoolWindowParams w = pool_window_params(PoolParams{{3}, {2}, {1}, {1}, false});
  CHECK(w.kernel[0] == 1);
  CHECK(w.kernel[2] == 3);
  CHECK(w.stride[2] == 2);
  CHECK(w.padding[2] == 1);
  CHECK_FALSE(w.count_include_pad);
  CHECK_THROWS_AS(spatial3_params(dense({2, 3}), dense({2, 3}), "avg_pool_forward"), Error);

  CHECK(softmax_dims(dense({2, 5, 9}), 1) == std::vector<int>{2, 5, 9, 1});
  CHECK(softmax_dims(dense({7}), 0) == std::vector<int>{1, 7, 1, 1});
  CHECK(softmax_dims(dense({8, 64, 65}), 2) == std::vector<int>{512, 65, 1, 1});
}

TEST_CASE("cuda plan: fused attention stages up to 64 streamed rows in 40 KiB, and reads wider rows from global memory") {
  // 67 queries: two blocks of 64 threads per batch, the second with 3 live rows.
  AttentionLaunch small = attention_launch(2, 67, 8 + 5, 4, "attention_forward_kernel");
  CHECK(small.blocks == 4);
  CHECK(small.threads == 64);
  CHECK(small.staged);
  CHECK(small.pass_rows == 64);
  CHECK(small.shared_bytes == 64 * 13 * 4);
  // C = 256 + 256: 2 KiB a row in f32, 4 KiB in f64, so 20 and 10 rows, not dividing 77 keys.
  AttentionLaunch wide = attention_launch(1, 77, 512, 4, "attention_grad_kv_kernel");
  CHECK(wide.pass_rows == 20);
  CHECK(wide.shared_bytes == 20 * 512 * 4);
  CHECK(attention_launch(1, 77, 512, 8, "k").pass_rows == 10);
  // One row of exactly the budget is still staged; a wider one (above the 48 KiB a block gets
  // without opting in, which the launch would refuse) is read from global memory.
  AttentionLaunch budget = attention_launch(1, 5, 10240, 4, "k");
  CHECK(budget.staged);
  CHECK(budget.pass_rows == 1);
  CHECK(budget.shared_bytes == 40 * 1024);
  AttentionLaunch global = attention_launch(3, 5, 6000 + 5000, 4, "k");
  CHECK_FALSE(global.staged);
  CHECK(global.shared_bytes == 0);
  CHECK(global.pass_rows == 64);
  CHECK(global.blocks == 3);
  CHECK_FALSE(attention_launch(1, 5, 5121, 8, "k").staged);
  // No channels at all: nothing to stage, and no division by zero.
  AttentionLaunch empty_rows = attention_launch(1, 5, 0, 4, "k");
  CHECK_FALSE(empty_rows.staged);
  CHECK(empty_rows.pass_rows == 64);
  // Every shared-memory size stays within the 48 KiB a block may use without opting in.
  for (int64_t channels = 1; channels <= 20000; channels += 37)
    for (int64_t element : {4, 8}) CHECK(attention_launch(1, 1, channels, element, "k").shared_bytes <= 48 * 1024);
}

TEST_CASE("cuda plan: a fused attention grid above 2^31 - 1 blocks is an error naming the kernel, not a truncated grid") {
  CHECK(attention_launch(32768, 64 * 65535, 8, 4, "attention_forward_kernel").blocks == 32768u * 65535u);
  CHECK_THROWS_WITH_AS(attention_launch(65536, 64 * 65536, 8, 4, "attention_forward_kernel"),
                       doctest::Contains("cuda attention_forward_kernel: batch 65536"), Error);
}
