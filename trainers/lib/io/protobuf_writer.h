// The protocol-buffer wire format, written by hand: enough to encode a message field by field
// (varints, 64- and 32-bit fixed values, length-delimited bytes and sub-messages) without a
// protobuf library or generated code. Fields are written in the order they are added, as the
// format allows; a reader keys them by number.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace gaze {

class ProtobufWriter {
 public:
  // Wire type 0: int32, int64, uint64, bool and enum fields (a negative int is written as its
  // 64-bit two's complement, ten bytes, as protobuf does).
  ProtobufWriter& varint(int field, int64_t value);
  // Wire type 1: double.
  ProtobufWriter& float64(int field, double value);
  // Wire type 5: float.
  ProtobufWriter& float32(int field, float value);
  // Wire type 2: string, bytes, and embedded messages.
  ProtobufWriter& bytes(int field, std::string_view value);
  ProtobufWriter& message(int field, const ProtobufWriter& value) { return bytes(field, value.encoded()); }

  const std::string& encoded() const { return bytes_; }

 private:
  void key(int field, int wire_type);
  std::string bytes_;
};

// `value` as a base-128 varint, least significant group first (300 is AC 02).
void append_varint(std::string& out, uint64_t value);

}  // namespace gaze
