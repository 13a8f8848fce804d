#include "trainers/lib/io/protobuf_writer.h"

#include <bit>
#include <cstring>

#include "framework/error.h"

namespace gaze {

static_assert(std::endian::native == std::endian::little, "protobuf's fixed-width fields are little-endian, as this host");

void append_varint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void ProtobufWriter::key(int field, int wire_type) {
  if (field < 1 || field > 536870911) fail("ProtobufWriter: field number {} is outside 1..2^29-1", field);
  append_varint(bytes_, (static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}

ProtobufWriter& ProtobufWriter::varint(int field, int64_t value) {
  key(field, 0);
  append_varint(bytes_, static_cast<uint64_t>(value));
  return *this;
}

ProtobufWriter& ProtobufWriter::float64(int field, double value) {
  key(field, 1);
  char raw[8];
  std::memcpy(raw, &value, 8);
  bytes_.append(raw, 8);
  return *this;
}

ProtobufWriter& ProtobufWriter::float32(int field, float value) {
  key(field, 5);
  char raw[4];
  std::memcpy(raw, &value, 4);
  bytes_.append(raw, 4);
  return *this;
}

ProtobufWriter& ProtobufWriter::bytes(int field, std::string_view value) {
  key(field, 2);
  append_varint(bytes_, value.size());
  bytes_.append(value);
  return *this;
}

}  // namespace gaze
