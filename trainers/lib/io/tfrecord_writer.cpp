#include "trainers/lib/io/tfrecord_writer.h"

#include <bit>
#include <cerrno>
#include <cstring>

#include "framework/error.h"
#include "trainers/lib/io/crc32c.h"

namespace gaze {

static_assert(std::endian::native == std::endian::little, "TFRecord's length and CRCs are little-endian, as this host");

namespace {

void append_u32(std::string& out, uint32_t value) {
  char raw[4];
  std::memcpy(raw, &value, 4);
  out.append(raw, 4);
}

}  // namespace

std::string tfrecord_frame(std::string_view record) {
  std::string out;
  out.reserve(record.size() + 16);
  const uint64_t length = record.size();
  char raw[8];
  std::memcpy(raw, &length, 8);
  out.append(raw, 8);
  append_u32(out, masked_crc32c(std::string_view(raw, 8)));
  out.append(record);
  append_u32(out, masked_crc32c(record));
  return out;
}

TfRecordWriter::TfRecordWriter(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "wbx");  // x: fail rather than replace an existing file
  if (!file_) fail("{}: cannot create: {}", path_, std::strerror(errno));
}

TfRecordWriter::~TfRecordWriter() {
  if (file_) std::fclose(file_);
}

void TfRecordWriter::write(std::string_view record) {
  const std::string framed = tfrecord_frame(record);
  if (std::fwrite(framed.data(), 1, framed.size(), file_) != framed.size() || std::fflush(file_) != 0)
    fail("{}: cannot write: {}", path_, std::strerror(errno));
}

}  // namespace gaze
