// A TFRecord file, the container of TensorBoard's event files: each record is its length
// (uint64, little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C
// of the data (crc32c.h). Every record is flushed as it is written, so a process killed at any
// moment leaves whole records (and at worst a torn last one, which readers skip).
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace gaze {

class TfRecordWriter {
 public:
  // Creates `path`, which must not exist yet (a record file is never rewritten: a new one is
  // started instead); failing that, a gaze::Error naming the path and the reason.
  explicit TfRecordWriter(std::string path);
  ~TfRecordWriter();
  TfRecordWriter(const TfRecordWriter&) = delete;
  TfRecordWriter& operator=(const TfRecordWriter&) = delete;

  void write(std::string_view record);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

// One record framed as above (what write() appends).
std::string tfrecord_frame(std::string_view record);

}  // namespace gaze
