// Strided single and batched GEMM on CBLAS, shared by matmul and the im2col convolutions.
#pragma once
#include <cstdint>

#include "framework/backend.h"

namespace gaze::openblas {

// C[M,N] = alpha·A[M,K]·B[K,N] + beta·C, each matrix given by its pointer and (row, col)
// strides in elements. Transposed layouts go to BLAS as transposes; any other layout is copied.
template <typename T>
void gemm(int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t a_rs, int64_t a_cs, const T* b,
          int64_t b_rs, int64_t b_cs, T beta, T* c, int64_t c_rs, int64_t c_cs);

}  // namespace gaze::openblas
