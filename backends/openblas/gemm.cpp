#include "backends/openblas/gemm.h"

#include <cblas.h>

#include <vector>

#include "backends/openblas/openblas_backend.h"
#include "backends/reference/loops.h"

namespace gaze::openblas {
namespace {

// How BLAS can read a [rows, cols] matrix with these strides: untransposed (unit column stride)
// or transposed (unit row stride), with its leading dimension. False when neither fits.
bool blas_view(int64_t rows, int64_t cols, int64_t rs, int64_t cs, CBLAS_TRANSPOSE& trans, int64_t& ld) {
  if (cols == 1) cs = 1;
  if (rows == 1) rs = std::max<int64_t>(cols, 1);
  if (cs == 1 && rs >= std::max<int64_t>(cols, 1)) {
    trans = CblasNoTrans;
    ld = rs;
    return true;
  }
  if (rs == 1 && cs >= std::max<int64_t>(rows, 1)) {
    trans = CblasTrans;
    ld = cs;
    return true;
  }
  return false;
}

void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
               int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}
void blas_gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, double alpha, const double* a,
               int64_t lda, const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

template <typename T>
std::vector<T> dense_copy(const T* src, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  std::vector<T> out(rows * cols);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = src[i * rs + j * cs];
  return out;
}

}  // namespace

template <typename T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs, const T* b, int64_t b_rs,
          int64_t b_cs, T beta, T* c, int64_t c_rs, int64_t c_cs) {
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty sum: C = beta·C (BLAS would reject the zero leading dimensions)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * c_rs + j * c_cs] = beta == T(0) ? T(0) : beta * c[i * c_rs + j * c_cs];
    return;
  }
  CBLAS_TRANSPOSE ta, tb, tc;
  int64_t lda, ldb, ldc;
  std::vector<T> a_copy, b_copy;
  if (!blas_view(m, k, a_rs, a_cs, ta, lda)) {
    a_copy = dense_copy(a, m, k, a_rs, a_cs);
    a = a_copy.data();
    ta = CblasNoTrans;
    lda = std::max<int64_t>(k, 1);
  }
  if (!blas_view(k, n, b_rs, b_cs, tb, ldb)) {
    b_copy = dense_copy(b, k, n, b_rs, b_cs);
    b = b_copy.data();
    tb = CblasNoTrans;
    ldb = std::max<int64_t>(n, 1);
  }
  if (blas_view(m, n, c_rs, c_cs, tc, ldc) && tc == CblasNoTrans) {
    blas_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (blas_view(m, n, c_rs, c_cs, tc, ldc)) {  // Cᵀ = Bᵀ·Aᵀ, written row-major
    CBLAS_TRANSPOSE flip_a = ta == CblasNoTrans ? CblasTrans : CblasNoTrans;
    CBLAS_TRANSPOSE flip_b = tb == CblasNoTrans ? CblasTrans : CblasNoTrans;
    blas_gemm(flip_b, flip_a, n, m, k, alpha, b, ldb, a, lda, beta, c, ldc);
    return;
  }
  std::vector<T> dense = dense_copy(c, m, n, c_rs, c_cs);
  blas_gemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, dense.data(), std::max<int64_t>(n, 1));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) c[i * c_rs + j * c_cs] = dense[i * n + j];
}

template void gemm<float>(int64_t, int64_t, int64_t, float, const float*, int64_t, int64_t, const float*, int64_t,
                          int64_t, float, float*, int64_t, int64_t);
template void gemm<double>(int64_t, int64_t, int64_t, double, const double*, int64_t, int64_t, const double*, int64_t,
                           int64_t, double, double*, int64_t, int64_t);

}  // namespace gaze::openblas

namespace gaze {

void OpenblasBackend::matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  if (out.dim() != 3 || a.dim() != 3 || b.dim() != 3 || a.dtype != out.dtype || b.dtype != out.dtype)
    return ReferenceBackend::matmul(out, a, b);  // the reference reports the mismatch
  int64_t batch = out.shape[0], m = out.shape[1], n = out.shape[2], k = a.shape[2];
  reference::dispatch_floating(out.dtype, "matmul", [&](auto zero) {
    using T = decltype(zero);
    for (int64_t i = 0; i < batch; ++i)
      openblas::gemm<T>(m, n, k, T(1), a.ptr<T>() + i * a.strides[0], a.strides[1], a.strides[2],
                        b.ptr<T>() + i * b.strides[0], b.strides[1], b.strides[2], T(0),
                        out.ptr<T>() + i * out.strides[0], out.strides[1], out.strides[2]);
  });
}

}  // namespace gaze
