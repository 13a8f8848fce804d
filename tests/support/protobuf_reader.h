// A protocol-buffers wire-format reader for tests: a message's fields in order, so a test can
// decode what trainers/lib/io/protobuf_writer.h wrote (an ONNX ModelProto) without libprotobuf.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace gaze::test {

struct ProtoField {
  int number = 0;
  int wire_type = 0;   // 0 varint, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;
  std::string bytes;   // wire type 2; wire type 5: the 4 bytes
  float as_float() const {
    float f = 0;
    std::memcpy(&f, bytes.data(), 4);
    return f;
  }
};

inline std::vector<ProtoField> parse_proto(const std::string& data) {
  std::vector<ProtoField> fields;
  size_t at = 0;
  auto read_varint = [&] {
    uint64_t value = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      if (at >= data.size()) throw std::runtime_error("truncated varint");
      const auto byte = static_cast<uint8_t>(data[at++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw std::runtime_error("varint longer than 10 bytes");
  };
  while (at < data.size()) {
    const uint64_t key = read_varint();
    ProtoField f;
    f.number = static_cast<int>(key >> 3);
    f.wire_type = static_cast<int>(key & 7);
    if (f.wire_type == 0) {
      f.varint = read_varint();
    } else if (f.wire_type == 2) {
      const uint64_t length = read_varint();
      if (at + length > data.size()) throw std::runtime_error("truncated bytes field");
      f.bytes = data.substr(at, length);
      at += length;
    } else if (f.wire_type == 5) {
      if (at + 4 > data.size()) throw std::runtime_error("truncated fixed32");
      f.bytes = data.substr(at, 4);
      at += 4;
    } else {
      throw std::runtime_error("unexpected wire type " + std::to_string(f.wire_type));
    }
    fields.push_back(std::move(f));
  }
  return fields;
}

// The fields numbered `number`, in order.
inline std::vector<ProtoField> fields_of(const std::vector<ProtoField>& fields, int number) {
  std::vector<ProtoField> out;
  for (const auto& f : fields)
    if (f.number == number) out.push_back(f);
  return out;
}

inline const ProtoField& field_of(const std::vector<ProtoField>& fields, int number) {
  for (const auto& f : fields)
    if (f.number == number) return f;
  throw std::runtime_error("no field " + std::to_string(number));
}

}  // namespace gaze::test
