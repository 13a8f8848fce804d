#include "framework/dtype.h"

#include "framework/error.h"

namespace gaze {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::i64: return 8;
  }
  fail("dtype_size: invalid dtype {}", static_cast<int>(dtype));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::i64: return "i64";
  }
  return "invalid";
}

bool is_floating(DType dtype) { return dtype == DType::f32 || dtype == DType::f64; }

DType parse_dtype(const std::string& name) {
  if (name == "f32" || name == "float32" || name == "float") return DType::f32;
  if (name == "f64" || name == "float64" || name == "double") return DType::f64;
  if (name == "i64" || name == "int64" || name == "long") return DType::i64;
  fail("unknown dtype '{}': expected one of f32, f64, i64", name);
}

}  // namespace gaze
