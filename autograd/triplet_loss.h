// Batch-hard triplet loss (Hermans, Beyer and Leibe, "In Defense of the Triplet Loss for Person
// Re-Identification", 2017), as torchreid's TripletLoss computes it.
#pragma once
#include "framework/tensor.h"

namespace gaze {

// features [N, D] (float), ids i64 [N] (any device). For each anchor: the hardest positive (the
// farthest example with the same id, not the anchor itself) and the hardest negative (the nearest
// with another id), at Euclidean distance; the loss is the mean of relu(d_ap - d_an + margin) over
// the anchors that have both. Anchors without a positive or a negative are left out of the mean;
// a batch where no anchor has both is an error (sample batches with pk_epoch_order).
// Differentiable in features, including where two features coincide (the distance's sqrt is
// taken of the squared distance clamped to at least 1e-12, so its gradient stays finite).
Tensor batch_hard_triplet_loss(const Tensor& features, const Tensor& ids, double margin = 0.3);

}  // namespace gaze
