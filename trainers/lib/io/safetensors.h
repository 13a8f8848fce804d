// Tensors in the safetensors format (https://github.com/huggingface/safetensors), so a gaze
// checkpoint opens in PyTorch with safetensors.torch.load_file and the other way round:
//   8 bytes     N, the header length, unsigned little-endian
//   N bytes     JSON: {"<name>": {"dtype": "F32"|"F64"|"I64", "shape": [...],
//                                 "data_offsets": [begin, end]}, ...,
//                      "__metadata__": {"<key>": "<string value>", ...}}
//               (padded with spaces so the data starts 8-byte aligned, as the Python writer does)
//   the data    every tensor's elements, row-major, little-endian, back to back with no gaps;
//               offsets are relative to the start of the data.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// The metadata key holding the checksum of the data section: 16 lowercase hex digits of its
// FNV-1a 64-bit hash. The format's offsets catch a truncated file but not flipped bytes that keep
// the size (a bad disk block, a partial copy over an old file); this catches those on load.
inline constexpr const char* kChecksumKey = "gaze.checksum";

// Writes every tensor (host tensors of any layout: non-contiguous ones are copied row-major) and
// `metadata`, atomically (write_file_atomically). `kChecksumKey` is set from the data, replacing
// any value passed in (so metadata loaded from a file can be passed back as it is). Names must be
// unique, non-empty and not "__metadata__"; otherwise a gaze::Error names the tensor.
void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata = {});

struct SafetensorsFile {
  NamedTensors tensors;                          // in the order of their data in the file
  std::map<std::string, std::string> metadata;   // including kChecksumKey when the file has it
};

// Reads and verifies a whole file before returning anything: its size, the header length, the
// JSON, every entry's dtype, shape and offsets (dtype size × numel bytes, contiguous from 0,
// covering the data exactly), the metadata (strings only), and the checksum when present (files
// written by other tools have none). A failure is one gaze::Error
//   "checkpoint <path> is corrupt: <what> (re-save it, or resume from an earlier checkpoint)"
// and garbage never crashes or makes a large allocation: every size is checked against the file.
// A missing or unreadable file is read_file's error.
SafetensorsFile load_safetensors(const std::string& path);

// The checksum written under kChecksumKey: FNV-1a 64 of `bytes` as 16 lowercase hex digits.
std::string fnv1a64_hex(const char* bytes, size_t size);

}  // namespace gaze
