// Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: the norm of all gradients
// taken together; when it exceeds max_norm every gradient is scaled by max_norm / (norm + 1e-6).
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

// Returns the norm before clipping. Parameters without a gradient are skipped; a non-finite norm
// is returned as is and nothing is scaled (the trainer reports it).
double clip_grad_norm(const std::vector<Tensor>& parameters, double max_norm);

}  // namespace gaze
