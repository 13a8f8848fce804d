// Fused attention: the openblas backend's tiling, softmax and threading (backends/openblas/
// attention.cpp), with the f32 tiles' GEMMs by dnnl_sgemm, whose kernels are generated for the
// CPU at hand (AVX-512 where there is one) where OpenBLAS may run an older core's.
#include <oneapi/dnnl/dnnl.h>

#include "backends/onednn/onednn_backend.h"
#include "backends/openblas/attention_kernel.h"

namespace gaze {
namespace {

// dnnl_sgemm is row-major like the tiles and runs on the calling thread inside an OpenMP
// parallel region. It refuses only arguments the kernel never passes; should it refuse, BLAS
// computes the same tile (an exception may not leave the parallel region).
void onednn_tile_sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a,
                       int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  dnnl_status_t status = dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, alpha, a, lda, b, ldb, beta, c,
                                    ldc);
  if (status != dnnl_success) openblas::openblas_tile_sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

void OnednnBackend::attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q,
                                      const KernelArg& k, const KernelArg& v, double scale) {
  openblas::fused_attention_forward("onednn attention_forward", out, lse, q, k, v, scale, onednn_tile_sgemm);
}

void OnednnBackend::attention_backward(const KernelArg& grad_q, const KernelArg& grad_k, const KernelArg& grad_v,
                                       const KernelArg& grad_out, const KernelArg& q, const KernelArg& k,
                                       const KernelArg& v, const KernelArg& out, const KernelArg& lse,
                                       double scale) {
  openblas::fused_attention_backward("onednn attention_backward", grad_q, grad_k, grad_v, grad_out, q, k, v, out, lse,
                                     scale, onednn_tile_sgemm);
}

}  // namespace gaze
