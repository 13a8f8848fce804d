// The CPU fused attention kernels (attention.cpp), parameterised by the f32 GEMM their tiles
// run on, so that a backend with a faster one (onednn) reuses the tiling, the softmax and the
// threading. f64 tiles always use cblas_dgemm.
#pragma once
#include <cstdint>

#include "framework/backend.h"

namespace gaze::openblas {

// Row-major C[m,n] = alpha·op(A)·op(B) + beta·C, op(X) = Xᵀ where asked; m, n, k ≥ 1 and the
// leading dimensions those of the stored (untransposed) matrices. Called from inside an OpenMP
// parallel region: it must run on the calling thread alone.
using TileSgemm = void (*)(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// cblas_sgemm.
void openblas_tile_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                         int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

// Backend::attention_forward / attention_backward; `who` names the backend in errors.
void fused_attention_forward(const char* who, const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                             const KernelArg& k, const KernelArg& v, double scale, TileSgemm sgemm);
void fused_attention_backward(const char* who, const KernelArg& grad_q, const KernelArg& grad_k,
                              const KernelArg& grad_v, const KernelArg& grad_out, const KernelArg& q,
                              const KernelArg& k, const KernelArg& v, const KernelArg& out, const KernelArg& lse,
                              double scale, TileSgemm sgemm);

}  // namespace gaze::openblas
