// Element types. f32 is the default; f64 exists for gradient checks and the reference backend;
// i64 holds labels and indices.
#pragma once
#include <cstddef>
#include <string>

namespace gaze {

enum class DType { f32, f64, i64 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
bool is_floating(DType dtype);
DType parse_dtype(const std::string& name);  // "f32", "float32", ...; throws on anything else

}  // namespace gaze
