#include "trainers/lib/io/npy.h"

#include <fmt/format.h>

#include <cstring>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"

namespace gaze {

std::string encode_npy(const Tensor& tensor) {
  if (tensor.dtype() != DType::f32) fail(".npy: gaze writes f32 tensors only, got {}", dtype_name(tensor.dtype()));
  std::string shape = fmt::format("{}", fmt::join(tensor.shape(), ", "));
  if (tensor.dim() == 1) shape += ",";  // (2, 3), but (2,) for one dim: Python's tuples
  std::string header = fmt::format("{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}", shape);
  const size_t unpadded = 10 + header.size() + 1;  // magic, version, length, header, newline
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  std::vector<float> values = tensor.to_vector<float>();
  const size_t start = out.size();
  out.resize(start + values.size() * sizeof(float));
  std::memcpy(out.data() + start, values.data(), values.size() * sizeof(float));
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) { write_file_atomically(path, encode_npy(tensor)); }

}  // namespace gaze
