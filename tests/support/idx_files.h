// Writing small IDX files (plain or gzipped with zlib) for the data pipeline's tests.
#pragma once
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace gaze::test {

// The bytes of an IDX file: magic 0x0000 <type> <rank>, big-endian dims, then `data`.
inline std::string idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data, uint8_t type = 0x08) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((d >> shift) & 0xff));
  }
  out.append(data.begin(), data.end());
  return out;
}

// Writes `bytes` gzip-compressed to `path`.
inline void write_gzip(const std::string& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) == static_cast<int>(bytes.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

// A Fashion-MNIST-shaped root in `dir`: `split` images (n×h×w, pixel values k*7+i) and labels.
inline void write_fashion_root(const TempDir& dir, const std::string& prefix, uint32_t n, uint32_t h, uint32_t w,
                               const std::vector<uint8_t>& labels) {
  std::vector<uint8_t> pixels(size_t{n} * h * w);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i * 7);
  dir.write(prefix + "-images-idx3-ubyte", idx_bytes({n, h, w}, pixels));
  dir.write(prefix + "-labels-idx1-ubyte", idx_bytes({static_cast<uint32_t>(labels.size())}, labels));
}

}  // namespace gaze::test
