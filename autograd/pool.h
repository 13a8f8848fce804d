// Differentiable pooling over 1, 2 or 3 spatial dims (the rank of x decides).
#pragma once
#include <vector>

#include "framework/tensor.h"

namespace gaze {

// As in PyTorch: stride defaults to the kernel size (an empty vector); one value applies to
// every spatial dim.
struct PoolOptions {
  std::vector<int64_t> kernel{2};
  std::vector<int64_t> stride{};
  std::vector<int64_t> padding{0};
  std::vector<int64_t> dilation{1};  // max pooling only
  bool ceil_mode = false;
  bool count_include_pad = true;  // average pooling only
};

Tensor max_pool(const Tensor& x, const PoolOptions& options);
Tensor avg_pool(const Tensor& x, const PoolOptions& options);
Tensor max_pool1d(const Tensor& x, const PoolOptions& options);
Tensor max_pool2d(const Tensor& x, const PoolOptions& options);
Tensor max_pool3d(const Tensor& x, const PoolOptions& options);
Tensor avg_pool1d(const Tensor& x, const PoolOptions& options);
Tensor avg_pool2d(const Tensor& x, const PoolOptions& options);
Tensor avg_pool3d(const Tensor& x, const PoolOptions& options);
// Output spatial size fixed; windows as PyTorch's adaptive pooling.
Tensor adaptive_avg_pool(const Tensor& x, const std::vector<int64_t>& output_size);
// Mean / max over every spatial dim, kept as size 1: [N, C, *] -> [N, C, 1, ...].
Tensor global_avg_pool(const Tensor& x);
Tensor global_max_pool(const Tensor& x);

}  // namespace gaze
