// The ONNX export without an ONNX runtime: the protobuf encoding decoded back field by field, the
// graph a model emits checked against its forward, BatchNorm folding, the .npy sample files, and
// the error for a module without an export. (tests/onnx/check_onnx_export.py runs the files in
// OpenCV where python3-opencv is installed.)
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>

#include "autograd/ops.h"
#include "layers/attention/cbam.h"
#include "layers/models/resnet.h"
#include "layers/onnx/onnx_graph.h"
#include "layers/simple_layers.h"
#include "support/protobuf_reader.h"
#include "support/temp_dir.h"
#include "trainers/app/onnx_export.h"
#include "trainers/lib/io/atomic_file.h"
#include "trainers/lib/io/npy.h"
#include "trainers/lib/io/onnx_file.h"
#include "trainers/lib/io/protobuf_writer.h"

using namespace gaze;
using namespace gaze::test;

namespace {

std::string bytes_of(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// A layer that has no export of its own.
class NoExport : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "NoExport"; }
};

}  // namespace

TEST_CASE("protobuf writer: varints, negative int64s, floats and bytes as the wire format defines them") {
  ProtobufWriter w;
  w.varint(1, 150);  // the protobuf documentation's example: 08 96 01
  CHECK(w.encoded() == bytes_of({0x08, 0x96, 0x01}));
  ProtobufWriter negative;
  negative.varint(2, -1);  // two's complement over ten bytes
  CHECK(negative.encoded() == bytes_of({0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  ProtobufWriter f;
  f.float32(2, 1.0f);  // tag 0x15, then 0x3f800000 little-endian
  CHECK(f.encoded() == bytes_of({0x15, 0x00, 0x00, 0x80, 0x3f}));
  ProtobufWriter b;
  b.bytes(3, "hi");
  CHECK(b.encoded() == bytes_of({0x1a, 0x02, 'h', 'i'}));
  ProtobufWriter outer;
  outer.message(7, w);
  CHECK(outer.encoded() == bytes_of({0x3a, 0x03, 0x08, 0x96, 0x01}));
}

TEST_CASE("onnx file: a tiny model's bytes decode back to its ModelProto fields") {
  OnnxGraph graph;
  Tensor x = from_vector(std::vector<float>{1, -2, 3, -4, 5, -6, 7, -8, 9}, {1, 1, 3, 3});
  Tensor weight = from_vector(std::vector<float>{0.5f, -1.0f}, {2, 1, 1, 1});
  Tensor bias = from_vector(std::vector<float>{0.25f, 0.0f}, {2});
  std::string in = graph.add_input("input", x);
  graph.push_scope("conv");
  std::string y = graph.conv(in, weight, bias, {});
  graph.pop_scope();
  graph.add_output(graph.relu(y), "output");
  const std::string bytes = encode_onnx_model(graph, "tiny", "0.0");

  const auto model = parse_proto(bytes);
  CHECK(field_of(model, 1).varint == 7);  // ir_version
  CHECK(field_of(model, 2).bytes == "gaze");
  const auto opset = parse_proto(field_of(model, 8).bytes);
  CHECK(field_of(opset, 1).bytes.empty());  // the default domain
  CHECK(field_of(opset, 2).varint == 13);

  const auto g = parse_proto(field_of(model, 7).bytes);
  CHECK(field_of(g, 2).bytes == "tiny");
  const auto nodes = fields_of(g, 1);
  REQUIRE(nodes.size() == 2);
  const auto conv = parse_proto(nodes[0].bytes);
  CHECK(field_of(conv, 4).bytes == "Conv");
  const auto conv_inputs = fields_of(conv, 1);
  REQUIRE(conv_inputs.size() == 3);
  CHECK(conv_inputs[0].bytes == "input");
  CHECK(conv_inputs[1].bytes == "conv.weight");  // the state_dict name
  CHECK(conv_inputs[2].bytes == "conv.bias");
  std::vector<int64_t> kernel_shape;
  for (const auto& a : fields_of(conv, 5)) {
    const auto attribute = parse_proto(a.bytes);
    if (field_of(attribute, 1).bytes != "kernel_shape") continue;
    CHECK(field_of(attribute, 20).varint == 7);  // AttributeProto.INTS
    for (const auto& v : fields_of(attribute, 8)) kernel_shape.push_back(static_cast<int64_t>(v.varint));
  }
  CHECK(kernel_shape == std::vector<int64_t>{1, 1});
  const auto relu = parse_proto(nodes[1].bytes);
  CHECK(field_of(relu, 4).bytes == "Relu");
  CHECK(field_of(relu, 2).bytes == "output");

  const auto initializers = fields_of(g, 5);
  REQUIRE(initializers.size() == 2);
  const auto w = parse_proto(initializers[0].bytes);
  CHECK(field_of(w, 8).bytes == "conv.weight");
  CHECK(field_of(w, 2).varint == 1);  // FLOAT
  std::vector<int64_t> dims;
  for (const auto& d : fields_of(w, 1)) dims.push_back(static_cast<int64_t>(d.varint));
  CHECK(dims == std::vector<int64_t>{2, 1, 1, 1});
  const std::string raw = field_of(w, 9).bytes;
  REQUIRE(raw.size() == 8);
  float values[2];
  std::memcpy(values, raw.data(), 8);
  CHECK(values[0] == 0.5f);
  CHECK(values[1] == -1.0f);

  // The output's ValueInfo: FLOAT [1, 2, 3, 3].
  const auto output = parse_proto(field_of(g, 12).bytes);
  CHECK(field_of(output, 1).bytes == "output");
  const auto tensor_type = parse_proto(field_of(parse_proto(field_of(output, 2).bytes), 1).bytes);
  CHECK(field_of(tensor_type, 1).varint == 1);
  std::vector<int64_t> shape;
  for (const auto& d : fields_of(parse_proto(field_of(tensor_type, 2).bytes), 1))
    shape.push_back(static_cast<int64_t>(field_of(parse_proto(d.bytes), 1).varint));
  CHECK(shape == std::vector<int64_t>{1, 2, 3, 3});
  // The graph's own result for the input, computed as the nodes were emitted.
  CHECK(graph.sample("output").to_vector<float>()[0] == doctest::Approx(0.75));  // relu(0.5·1 + 0.25)
}

TEST_CASE("onnx export: a CBAM ResNet's graph matches its forward, with and without BatchNorm folded") {
  manual_seed(3);
  TempDir dir("onnx");
  auto model = std::make_shared<ResNet>(ResNetOptions{.in_channels = 1, .num_classes = 4, .widths = {8, 16}, .strides = {1, 2},
                                                      .attention = [](int64_t c) {
                                                        return std::make_shared<CBAM>(CBAMOptions{.channels = c, .reduction = 4});
                                                      },
                                                      .placement = AttentionPlacement::residual});
  draw_random_state(*model, 5);
  Tensor x = randn({2, 1, 12, 12});
  OnnxExportReport kept = export_onnx(*model, x, {.output = dir.file("kept.onnx"), .sample_dir = dir.file("sample")});
  CHECK(kept.output_shape == Shape{2, 4});
  CHECK(kept.max_difference <= 1e-5 * kept.max_output);
  CHECK(kept.op_counts.at("BatchNormalization") == 6);  // the stem's, 2 per block, the second block's shortcut
  OnnxExportReport folded = export_onnx(*model, x, {.output = dir.file("folded.onnx"), .fold_batch_norm = true});
  CHECK(folded.folded_batch_norms == 6);
  CHECK(folded.op_counts.count("BatchNormalization") == 0);
  CHECK(folded.nodes == kept.nodes - 6);
  CHECK(read_file(dir.file("kept.onnx")).size() > 1000);

  // input.npy and output.npy: NumPy's v1.0 header, padded to 64 bytes, then the floats.
  const std::string npy = read_file(dir.file("sample/output.npy"));
  const size_t data = 2 * 4 * sizeof(float), header = npy.size() - data;
  CHECK(header % 64 == 0);
  CHECK(npy.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  CHECK(static_cast<size_t>(static_cast<uint8_t>(npy[8]) | static_cast<uint8_t>(npy[9]) << 8) == header - 10);
  CHECK(npy.find("'shape': (2, 4)") != std::string::npos);
  CHECK(npy[header - 1] == '\n');
}

TEST_CASE("onnx export: folding a BatchNorm into its convolution keeps the convolution's result") {
  OnnxGraph graph;
  Tensor x = randn({1, 2, 5, 5});
  std::string in = graph.add_input("input", x);
  Tensor w = randn({3, 2, 3, 3}), mean = randn({3}), var = rand({3}) + 0.5, gamma = randn({3}), beta = randn({3});
  std::string y = graph.batch_norm(graph.conv(in, w, Tensor(), {.padding = {1}}), gamma, beta, mean, var, 1e-5);
  graph.add_output(y, "output");
  Tensor expected = graph.sample("output");
  REQUIRE(graph.fold_batch_norms() == 1);
  REQUIRE(graph.nodes().size() == 1);
  const OnnxNode& conv = graph.nodes()[0];
  CHECK(conv.outputs[0] == "output");
  REQUIRE(conv.inputs.size() == 3);
  Tensor folded_weight, folded_bias;
  for (const auto& init : graph.initializers()) {
    if (init.name == conv.inputs[1]) folded_weight = init.value;
    if (init.name == conv.inputs[2]) folded_bias = init.value;
  }
  Tensor got = conv2d(x, folded_weight, folded_bias, {.padding = {1}});
  CHECK(max(abs(got - expected)).item() < 1e-5);
  CHECK(graph.initializers().size() == 2);  // the BatchNorm's four are gone
}

TEST_CASE("onnx export: a module without an export is one error naming its path and type") {
  auto model = std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{std::make_shared<ReLU>(), std::make_shared<NoExport>()});
  TempDir dir("onnx");
  try {
    export_onnx(*model, randn({1, 3}), {.output = dir.file("x.onnx")});
    FAIL("no error");
  } catch (const Error& e) {
    const std::string message = e.what();
    CHECK(message.find("module '1' (NoExport) has no ONNX export") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir.file("x.onnx")));
}
