// Differentiable shape ops. Views (reshape of a viewable tensor, view, permute, transpose,
// squeeze, unsqueeze, expand, slice, narrow, select, split, chunk) share storage; cat, stack,
// flip, pad, contiguous (when needed) and clone copy.
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

// One size may be -1 (inferred). view fails when the strides cannot express the new shape;
// reshape copies then.
Tensor view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1);
Tensor squeeze(const Tensor& x);               // every size-1 dim
Tensor squeeze(const Tensor& x, int64_t dim);  // that dim, if its size is 1
Tensor unsqueeze(const Tensor& x, int64_t dim);
// Broadcasts size-1 dims (and new leading dims) to `shape` without copying; -1 keeps a size.
Tensor expand(const Tensor& x, const Shape& shape);
// Elements start, start+step, ... < end along dim; start and end are clamped like Python's.
Tensor slice(const Tensor& x, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor select(const Tensor& x, int64_t dim, int64_t index);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
// The elements of dim in reverse order (torch.flip over one dim), a copy: a mirrored image with
// dim -1, for flip test-time augmentation.
Tensor flip(const Tensor& x, int64_t dim);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim = 0);
// Constant padding, F.pad order: {last_left, last_right, second_last_left, ...}.
Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value = 0.0);
Tensor contiguous(const Tensor& x);  // x itself when already contiguous
Tensor clone(const Tensor& x);       // always a fresh copy
// x on `device` (x itself when already there), differentiable: the gradient goes back to x's
// device. Tensor::to is the same without the graph.
Tensor to_device(const Tensor& x, Device device);

}  // namespace gaze
