// An OnnxGraph (layers/onnx/onnx_graph.h) as an ONNX file: a ModelProto (IR version 7, the default
// domain at opset 13) encoded by hand with protobuf_writer.h. Weights go in raw_data,
// little-endian, as every runtime reads them; each graph input and output carries its
// element type and static shape.
#pragma once
#include <string>

#include "layers/onnx/onnx_graph.h"

namespace gaze {

inline constexpr int64_t kOnnxIrVersion = 7;  // ONNX 1.8's IR, the first with opset 13

// The ModelProto's bytes. `graph_name` names the GraphProto (e.g. the config's file name).
std::string encode_onnx_model(const OnnxGraph& graph, const std::string& graph_name, const std::string& producer_version);
// The same, written to `path` atomically (trainers/lib/io/atomic_file.h).
void write_onnx_model(const std::string& path, const OnnxGraph& graph, const std::string& graph_name,
                      const std::string& producer_version);

}  // namespace gaze
