#include "trainers/lib/io/onnx_file.h"

#include <cstring>

#include "framework/error.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/protobuf_writer.h"

namespace gaze {

namespace {

// Field numbers of onnx.proto (github.com/onnx/onnx, onnx/onnx.proto), by message.
namespace model_proto {
constexpr int ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8;
}
namespace opset_proto {
constexpr int domain = 1, version = 2;
}
namespace graph_proto {
constexpr int node = 1, name = 2, initializer = 5, input = 11, output = 12;
}
namespace node_proto {
constexpr int input = 1, output = 2, name = 3, op_type = 4, attribute = 5;
}
namespace attribute_proto {
constexpr int name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20;
constexpr int64_t type_float = 1, type_int = 2, type_string = 3, type_ints = 7;
}
namespace tensor_proto {
constexpr int dims = 1, data_type = 2, name = 8, raw_data = 9;
constexpr int64_t float32 = 1, int64 = 7;
}
namespace value_info_proto {
constexpr int name = 1, type = 2;
}
namespace type_proto {
constexpr int tensor_type = 1;
constexpr int elem_type = 1, shape = 2;  // TypeProto.Tensor
constexpr int dim = 1;                   // TensorShapeProto
constexpr int dim_value = 1;             // TensorShapeProto.Dimension
}

int64_t onnx_element_type(DType dtype, const std::string& name) {
  switch (dtype) {
    case DType::f32: return tensor_proto::float32;
    case DType::i64: return tensor_proto::int64;
    default: fail("ONNX export: '{}' is {}; gaze writes f32 and i64 tensors only", name, dtype_name(dtype));
  }
}

ProtobufWriter tensor(const OnnxInitializer& init) {
  ProtobufWriter t;
  for (int64_t d : init.value.shape()) t.varint(tensor_proto::dims, d);
  const int64_t type = onnx_element_type(init.value.dtype(), init.name);
  t.varint(tensor_proto::data_type, type);
  t.bytes(tensor_proto::name, init.name);
  std::string raw;
  if (type == tensor_proto::float32) {
    std::vector<float> values = init.value.to_vector<float>();
    raw.resize(values.size() * sizeof(float));
    std::memcpy(raw.data(), values.data(), raw.size());  // x86-64 and aarch64 are little-endian, as ONNX's raw_data
  } else {
    std::vector<int64_t> values = init.value.to_vector<int64_t>();
    raw.resize(values.size() * sizeof(int64_t));
    std::memcpy(raw.data(), values.data(), raw.size());
  }
  t.bytes(tensor_proto::raw_data, raw);
  return t;
}

ProtobufWriter value_info(const std::string& name, const Tensor& sample) {
  ProtobufWriter shape;
  for (int64_t d : sample.shape()) {
    ProtobufWriter dim;
    dim.varint(type_proto::dim_value, d);
    shape.message(type_proto::dim, dim);
  }
  ProtobufWriter tensor_type;
  tensor_type.varint(type_proto::elem_type, onnx_element_type(sample.dtype(), name));
  tensor_type.message(type_proto::shape, shape);
  ProtobufWriter type;
  type.message(type_proto::tensor_type, tensor_type);
  ProtobufWriter info;
  info.bytes(value_info_proto::name, name);
  info.message(value_info_proto::type, type);
  return info;
}

ProtobufWriter attribute(const OnnxAttribute& a) {
  ProtobufWriter w;
  w.bytes(attribute_proto::name, a.name);
  switch (a.kind) {
    case OnnxAttribute::Kind::integer:
      w.varint(attribute_proto::i, a.integer);
      w.varint(attribute_proto::type, attribute_proto::type_int);
      break;
    case OnnxAttribute::Kind::integers:
      for (int64_t v : a.integers) w.varint(attribute_proto::ints, v);
      w.varint(attribute_proto::type, attribute_proto::type_ints);
      break;
    case OnnxAttribute::Kind::real:
      w.float32(attribute_proto::f, a.real);
      w.varint(attribute_proto::type, attribute_proto::type_float);
      break;
    case OnnxAttribute::Kind::text:
      w.bytes(attribute_proto::s, a.text);
      w.varint(attribute_proto::type, attribute_proto::type_string);
      break;
  }
  return w;
}

ProtobufWriter node(const OnnxNode& n) {
  ProtobufWriter w;
  for (const auto& in : n.inputs) w.bytes(node_proto::input, in);
  for (const auto& out : n.outputs) w.bytes(node_proto::output, out);
  w.bytes(node_proto::name, n.name);
  w.bytes(node_proto::op_type, n.op_type);
  for (const auto& a : n.attributes) w.message(node_proto::attribute, attribute(a));
  return w;
}

}  // namespace

std::string encode_onnx_model(const OnnxGraph& graph, const std::string& graph_name, const std::string& producer_version) {
  if (graph.outputs().empty()) fail("ONNX export: internal: the graph has no output");
  ProtobufWriter g;
  for (const auto& n : graph.nodes()) g.message(graph_proto::node, node(n));
  g.bytes(graph_proto::name, graph_name);
  for (const auto& init : graph.initializers()) g.message(graph_proto::initializer, tensor(init));
  for (const auto& in : graph.inputs()) g.message(graph_proto::input, value_info(in, graph.sample(in)));
  for (const auto& out : graph.outputs()) g.message(graph_proto::output, value_info(out, graph.sample(out)));

  ProtobufWriter opset;
  opset.bytes(opset_proto::domain, "");
  opset.varint(opset_proto::version, OnnxGraph::kOpset);
  ProtobufWriter model;
  model.varint(model_proto::ir_version, kOnnxIrVersion);
  model.bytes(model_proto::producer_name, "gaze");
  model.bytes(model_proto::producer_version, producer_version);
  model.message(model_proto::graph, g);
  model.message(model_proto::opset_import, opset);
  return model.encoded();
}

void write_onnx_model(const std::string& path, const OnnxGraph& graph, const std::string& graph_name,
                      const std::string& producer_version) {
  write_file_atomically(path, encode_onnx_model(graph, graph_name, producer_version));
}

}  // namespace gaze
