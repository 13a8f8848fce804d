// NumPy's .npy format (version 1.0) for f32 tensors: what `gaze export --sample` writes so that a
// script can feed another runtime gaze's input and compare its output (numpy.load reads it).
#pragma once
#include <string>

#include "framework/tensor.h"

namespace gaze {

// The .npy bytes of an f32 tensor: the magic, a header dict padded to 64 bytes, the data
// little-endian in row-major order.
std::string encode_npy(const Tensor& tensor);
// Written atomically.
void write_npy(const std::string& path, const Tensor& tensor);

}  // namespace gaze
