// The onednn backend: oneDNN primitives (f32) for convolution, pooling, batch norm, eltwise,
// softmax, matmul, binary and reduction, cached per shape; everything else (and f64) comes from
// the openblas backend it extends.
#pragma once
#include "backends/openblas/openblas_backend.h"

namespace gaze {

class OnednnBackend : public OpenblasBackend {
 public:
  std::string name() const override { return "onednn"; }
};

}  // namespace gaze
