// A protocol-buffers wire-format writer: just the field kinds ONNX's messages use (varint
// integers, 32-bit floats, length-delimited bytes and nested messages), so an ONNX file can be
// written without libprotobuf or the generated classes.
//
// Repeated scalars are written one field per element (unpacked): onnx.proto is a proto2 file,
// where that is the default encoding, and every protobuf parser accepts it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace gaze::protobuf {

class Writer {
 public:
  // Wire type 0: int32, int64, enum, bool (a negative value takes ten bytes, as protobuf's).
  void varint(int field, int64_t value);
  // Wire type 5: float.
  void float32(int field, float value);
  // Wire type 2: string, bytes.
  void bytes(int field, std::string_view value);
  // Wire type 2: a nested message.
  void message(int field, const Writer& nested) { bytes(field, nested.data()); }

  const std::string& data() const { return data_; }

 private:
  void tag(int field, int wire_type);
  void raw_varint(uint64_t value);
  std::string data_;
};

}  // namespace gaze::protobuf
