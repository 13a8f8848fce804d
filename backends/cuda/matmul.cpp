// CudaBackend::matmul through cuBLAS's strided-batched GEMM (f32 and f64). gemm_plan() reads
// transposes and leading dims from the strides, so transposed views need no copy; an operand
// whose matrices have no unit stride is packed contiguous first, and an output cuBLAS cannot
// write directly is computed into a packed buffer and copied out — on the GPU, never the host.
#include <cublas_v2.h>

#include "backends/cuda/check.h"
#include "backends/cuda/cublas_library.h"
#include "backends/cuda/context.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/kernels.h"
#include "backends/cuda/plan/plan.h"
#include "framework/error.h"

namespace gaze {
using namespace cuda;

namespace {

// A contiguous copy of `arg` in `buffer`, as a KernelArg over it.
KernelArg pack(const KernelArg& arg, DeviceBuffer& buffer, cudaStream_t stream) {
  KernelArg packed{buffer.data(), arg.dtype, arg.shape, contiguous_strides(arg.shape)};
  launch_copy(arg.dtype, arg.dtype, packed.data, arg.data, elementwise_params(arg.shape, {&packed.strides, &arg.strides}, "matmul pack"),
              stream);
  return packed;
}

void run_gemm(const GemmPlan& g, DType dtype, void* out, const void* a, const void* b) {
  DeviceContext& ctx = current_context();
  cublasHandle_t handle = ctx.cublas();
  GAZE_CUBLAS_CHECK(cublas_library().set_math_mode(handle, allow_tf32() ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  auto as_int = [](int64_t v, const char* what) {
    if (v > INT32_MAX) fail("cuda matmul: {} = {} exceeds cuBLAS's 32-bit sizes", what, v);
    return static_cast<int>(v);
  };
  int m = as_int(g.m, "N"), n = as_int(g.n, "M"), k = as_int(g.k, "K"), batch = as_int(g.batch, "batch");
  int lda = as_int(g.ld_first, "leading dim"), ldb = as_int(g.ld_second, "leading dim"), ldc = as_int(g.ld_out, "leading dim");
  cublasOperation_t op_first = g.trans_first ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasOperation_t op_second = g.trans_second ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (dtype == DType::f32) {
    const float one = 1.0f, zero = 0.0f;
    GAZE_CUBLAS_CHECK(cublas_library().sgemm_strided_batched(handle, op_first, op_second, m, n, k, &one, static_cast<const float*>(b), lda,
                                                g.stride_first, static_cast<const float*>(a), ldb, g.stride_second, &zero,
                                                static_cast<float*>(out), ldc, g.stride_out, batch));
  } else {
    const double one = 1.0, zero = 0.0;
    GAZE_CUBLAS_CHECK(cublas_library().dgemm_strided_batched(handle, op_first, op_second, m, n, k, &one, static_cast<const double*>(b), lda,
                                                g.stride_first, static_cast<const double*>(a), ldb, g.stride_second, &zero,
                                                static_cast<double*>(out), ldc, g.stride_out, batch));
  }
}

}  // namespace

void CudaBackend::matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  if (out.dtype != a.dtype || out.dtype != b.dtype)
    fail("cuda matmul: operands have different dtypes ({}, {}, {})", dtype_name(out.dtype), dtype_name(a.dtype),
         dtype_name(b.dtype));
  if (!is_floating(out.dtype)) fail("cuda matmul: dtype {} is not supported (f32 and f64 only)", dtype_name(out.dtype));
  GemmPlan plan = gemm_plan(out, a, b);
  if (out.numel() == 0) return;
  cudaStream_t stream = current_context().stream();
  size_t element = dtype_size(out.dtype);
  if (a.shape[2] == 0) {  // an empty sum: zeros, which cuBLAS with k = 0 may not write
    fill(out, 0.0);
    return;
  }
  std::unique_ptr<DeviceBuffer> a_buffer, b_buffer, out_buffer;
  KernelArg a_use = a, b_use = b, out_use = out;
  if (plan.a_needs_copy) {
    a_buffer = std::make_unique<DeviceBuffer>(a.numel() * element);
    a_use = pack(a, *a_buffer, stream);
  }
  if (plan.b_needs_copy) {
    b_buffer = std::make_unique<DeviceBuffer>(b.numel() * element);
    b_use = pack(b, *b_buffer, stream);
  }
  if (!plan.ok) {
    out_buffer = std::make_unique<DeviceBuffer>(out.numel() * element);
    out_use = KernelArg{out_buffer->data(), out.dtype, out.shape, contiguous_strides(out.shape)};
  }
  if (plan.a_needs_copy || plan.b_needs_copy || !plan.ok) plan = gemm_plan(out_use, a_use, b_use);
  run_gemm(plan, out.dtype, out_use.data, a_use.data, b_use.data);
  if (out_buffer) copy(out, out_use);
}

}  // namespace gaze
