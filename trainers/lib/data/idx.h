// IDX files, the format of LeCun's MNIST and of Fashion-MNIST: a big-endian magic number
// (0x00, 0x00, type byte, rank byte), one big-endian uint32 per dimension, then the data.
// Only unsigned bytes (type 0x08) are read: that is what both datasets hold.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // row-major, product(dims) bytes
};

// Reads a plain or gzip-compressed IDX file (gzip is recognised by its content, whatever the
// name). Anything wrong (a missing, non-IDX, truncated or oversized file, corrupt gzip data) is
// one gaze::Error naming the path and the problem, e.g.
// "train-images-idx3-ubyte.gz: truncated: header says 60000×28×28 = 47040000 bytes, file holds 1234".
// With `expected_rank` > 0 the magic number must announce that rank (3: images, 1: labels); it is
// checked before the sizes, so a damaged magic is named as such and not as a truncated file.
IdxArray read_idx(const std::string& path, int expected_rank = 0);

}  // namespace gaze
