// Shapes and strides (in elements), and the rules shared by every op: numel, contiguous strides,
// NumPy broadcasting, negative dims.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape& shape);
Shape contiguous_strides(const Shape& shape);
std::string shape_str(const Shape& shape);  // "[8,64]"

// NumPy broadcasting of two shapes; `op` names the caller in the error message.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Maps dim in [-ndim, ndim) to [0, ndim); an error naming `op` otherwise.
int64_t normalize_dim(int64_t dim, int64_t ndim, const char* op);

}  // namespace gaze
