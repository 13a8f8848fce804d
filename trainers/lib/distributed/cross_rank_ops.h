// Differentiable collectives for layers that need the whole global batch (synchronized
// BatchNorm), and the switch that turns BatchNorm's synchronization on in a model.
#pragma once
#include <cstdint>

#include "layers/module.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

// x summed over the ranks (every rank gets the sum); its backward sums the incoming gradient over
// the ranks, as torch.distributed.nn.all_reduce does. f32 or f64, on any device (a GPU tensor
// goes through a host copy).
Tensor sum_over_ranks(Communicator& communicator, const Tensor& x);

// Makes every BatchNorm of `model` take its training statistics over all ranks (train.sync_bn).
// Returns how many it changed.
int64_t synchronize_batch_norms(Module& model, Communicator& communicator);

}  // namespace gaze
