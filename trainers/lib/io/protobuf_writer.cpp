#include "trainers/lib/io/protobuf_writer.h"

#include <cstring>

namespace gaze::protobuf {

void Writer::raw_varint(uint64_t value) {
  while (value >= 0x80) {
    data_.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  data_.push_back(static_cast<char>(value));
}

void Writer::tag(int field, int wire_type) { raw_varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type)); }

void Writer::varint(int field, int64_t value) {
  tag(field, 0);
  raw_varint(static_cast<uint64_t>(value));
}

void Writer::float32(int field, float value) {
  tag(field, 5);
  uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  for (int i = 0; i < 4; ++i) data_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));  // little-endian
}

void Writer::bytes(int field, std::string_view value) {
  tag(field, 2);
  raw_varint(value.size());
  data_.append(value);
}

}  // namespace gaze::protobuf
