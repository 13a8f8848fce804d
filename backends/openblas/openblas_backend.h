// The openblas backend: GEMM and batched GEMM through CBLAS, convolutions as im2col/col2im +
// GEMM, and multithreaded (OpenMP) elementwise ops, reductions, softmax and batch norm. Kernels
// it does not accelerate (pooling, upsampling, the NLL gather) are the reference loops it
// inherits; docs/backends.md lists which is which.
#pragma once
#include "backends/reference/reference_backend.h"

namespace gaze {

class OpenblasBackend : public ReferenceBackend {
 public:
  std::string name() const override { return "openblas"; }
};

}  // namespace gaze
