#include "trainers/lib/io/tensorboard_writer.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "framework/error.h"
#include "trainers/lib/io/protobuf_writer.h"

namespace gaze {

namespace {

// Field numbers of the messages written (event.proto, summary.proto, tensor.proto, tensor_shape.proto).
namespace event {
constexpr int kWallTime = 1, kStep = 2, kFileVersion = 3, kSummary = 5, kSessionLog = 7;
}
namespace session_log {
constexpr int kStatus = 1;
constexpr int64_t kStart = 1;
}  // namespace session_log
namespace summary {
constexpr int kValue = 1;  // Summary.value
constexpr int kTag = 1, kSimpleValue = 2, kImage = 4, kTensor = 8, kMetadata = 9;  // Summary.Value
constexpr int kHeight = 1, kWidth = 2, kColorspace = 3, kEncodedImage = 4;         // Summary.Image
constexpr int kPluginData = 1, kPluginName = 1;                                  // SummaryMetadata, PluginData
}  // namespace summary
namespace tensor_proto {
constexpr int kDtype = 1, kShape = 2, kStringVal = 8;
constexpr int64_t kDtString = 7;
constexpr int kDim = 2, kDimSize = 1;  // TensorShapeProto, its Dim
}  // namespace tensor_proto

double wall_time() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

ProtobufWriter event_at(int64_t step) {
  ProtobufWriter e;
  e.float64(event::kWallTime, wall_time());
  if (step != 0) e.varint(event::kStep, step);  // proto3: a zero is left out
  return e;
}

std::string summary_event(int64_t step, const ProtobufWriter& value) {
  ProtobufWriter summary;
  summary.message(summary::kValue, value);
  return event_at(step).message(event::kSummary, summary).encoded();
}

std::string host_name() {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == 0) return "localhost";
  return host;
}

// A name no file in `dir` has yet: the first writer of a second gets the plain name.
std::string new_events_path(const std::string& dir) {
  namespace fs = std::filesystem;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string base = (fs::path(dir) / fmt::format("events.out.tfevents.{:010d}.{}", seconds, host_name())).string();
  std::error_code ec;
  if (!fs::exists(base, ec)) return base;
  for (int suffix = 2;; ++suffix) {
    const std::string path = fmt::format("{}.{}", base, suffix);
    if (!fs::exists(path, ec)) return path;
  }
}

uint32_t big_endian_u32(const std::string& bytes, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at])) << 24) | (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 2])) << 8) | static_cast<uint32_t>(static_cast<uint8_t>(bytes[at + 3]));
}

}  // namespace

TensorBoardWriter::TensorBoardWriter(const std::string& dir) : file_(new_events_path(dir)) {
  file_.write(event_at(0).bytes(event::kFileVersion, "brain.Event:2").encoded());
}

void TensorBoardWriter::scalar(const std::string& tag, int64_t step, double value) {
  ProtobufWriter v;
  v.bytes(summary::kTag, tag).float32(summary::kSimpleValue, static_cast<float>(value));
  file_.write(summary_event(step, v));
}

void TensorBoardWriter::image(const std::string& tag, int64_t step, const std::string& png) {
  // The signature, then the IHDR chunk first: its length (13), "IHDR", width, height (big-endian),
  // bit depth and colour type.
  static const std::string kSignature = "\x89PNG\r\n\x1a\n";
  if (png.size() < 33 || png.compare(0, 8, kSignature) != 0 || png.compare(12, 4, "IHDR") != 0)
    fail("TensorBoard image '{}': not a PNG file ({} bytes without a PNG signature and header)", tag, png.size());
  const uint32_t width = big_endian_u32(png, 16), height = big_endian_u32(png, 20);
  const int colour_type = static_cast<uint8_t>(png[25]);
  // Summary.Image's colorspace: 1 grey, 2 grey + alpha, 3 RGB, 4 RGBA (a palette decodes to RGB).
  const int64_t colorspace = colour_type == 0 ? 1 : colour_type == 4 ? 2 : colour_type == 6 ? 4 : 3;
  ProtobufWriter image;
  image.varint(summary::kHeight, height).varint(summary::kWidth, width).varint(summary::kColorspace, colorspace);
  image.bytes(summary::kEncodedImage, png);
  ProtobufWriter v;
  v.bytes(summary::kTag, tag).message(summary::kImage, image);
  file_.write(summary_event(step, v));
}

void TensorBoardWriter::text(const std::string& tag, int64_t step, const std::string& markdown) {
  // As TensorFlow's and PyTorch's text summaries: a one-element string tensor, marked for the
  // text plugin (its content, TextPluginData version 0, encodes as no bytes).
  ProtobufWriter plugin;
  plugin.bytes(summary::kPluginName, "text");
  ProtobufWriter metadata;
  metadata.message(summary::kPluginData, plugin);
  ProtobufWriter dim, shape, value;
  dim.varint(tensor_proto::kDimSize, 1);
  shape.message(tensor_proto::kDim, dim);
  value.varint(tensor_proto::kDtype, tensor_proto::kDtString).message(tensor_proto::kShape, shape).bytes(tensor_proto::kStringVal, markdown);
  ProtobufWriter v;
  v.bytes(summary::kTag, tag).message(summary::kMetadata, metadata).message(summary::kTensor, value);
  file_.write(summary_event(step, v));
}

void TensorBoardWriter::session_start(int64_t step) {
  ProtobufWriter log;
  log.varint(session_log::kStatus, session_log::kStart);
  file_.write(event_at(step).message(event::kSessionLog, log).encoded());
}

}  // namespace gaze
