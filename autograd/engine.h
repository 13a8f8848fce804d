// The backward pass: one walk of the graph in topological order, driven by dependency counts.
#pragma once
#include "framework/tensor.h"

namespace gaze::autograd {

// Propagates `grad` (ones for a one-element root when undefined) from `root` to every leaf that
// requires grad, accumulating into their .grad. Frees each node's saved tensors as it goes
// unless `retain_graph`.
void backward(const Tensor& root, const Tensor& grad = Tensor(), bool retain_graph = false);

}  // namespace gaze::autograd
