// OnnxGraph: a model being written as an ONNX graph (opset 13), one standard op at a time.
//
// Each module emits its own nodes beside its forward (Module::export_onnx), calling the ops below
// on value names. Every value carries the tensor gaze computes for it on a sample input: the ops
// compute it with gaze's own ops as they emit the node, so a module knows its input's shape (for
// a Reshape's target) and the exporter can check the whole graph against the model's forward
// before any file is written. The encoding into ONNX's protobuf is trainers/lib/io/onnx_file.h.
//
// The ops are those that OpenCV's dnn module (4.6, Debian 12) runs as well as ONNX's own
// definition; where OpenCV 4.6 mis-computes a pattern, the op helpers or the modules avoid it
// (docs/export.md lists each).
#pragma once
#include <map>
#include <string>
#include <vector>

#include "autograd/conv.h"
#include "autograd/grad_mode.h"
#include "autograd/pool.h"
#include "framework/tensor.h"

namespace gaze {

struct OnnxAttribute {
  enum class Kind { integer, integers, real, text };
  std::string name;
  Kind kind = Kind::integer;
  int64_t integer = 0;
  std::vector<int64_t> integers;
  float real = 0;
  std::string text;

  static OnnxAttribute of(std::string name, int64_t value);
  static OnnxAttribute of(std::string name, std::vector<int64_t> values);
  static OnnxAttribute of(std::string name, float value);
  static OnnxAttribute of(std::string name, std::string value);
};

struct OnnxNode {
  std::string op_type, name;
  std::vector<std::string> inputs, outputs;
  std::vector<OnnxAttribute> attributes;
};

// A constant of the graph (weights, shapes, axes): f32 or i64, contiguous on the host.
struct OnnxInitializer {
  std::string name;
  Tensor value;
};

class OnnxGraph {
 public:
  static constexpr int64_t kOpset = 13;

  // The graph's input, named `name`, with the sample value every op propagates.
  std::string add_input(const std::string& name, const Tensor& sample);
  // Marks `value` as a graph output under `name` (renaming it everywhere).
  void add_output(const std::string& value, const std::string& name);

  // The sample tensor of a value, and its shape.
  const Tensor& sample(const std::string& value) const;
  const Shape& shape(const std::string& value) const { return sample(value).shape(); }

  // The module path the next nodes and initializers are named under ("stages.0.conv1").
  void push_scope(const std::string& name);
  void pop_scope();
  std::string path() const;

  // Initializers: `name` under the current path (a parameter keeps its state_dict name);
  // constants are named after the node that uses them.
  std::string initializer(const std::string& name, const Tensor& value);
  std::string constant(const Tensor& value);
  std::string scalar(double value);                     // f32 [1]
  std::string int64s(const std::vector<int64_t>& values);  // i64 [n]

  // The ops, each one node (or a few, said where) whose sample is computed with gaze's ops.
  std::string conv(const std::string& x, const Tensor& weight, const Tensor& bias, const ConvOptions& options);
  std::string batch_norm(const std::string& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                         const Tensor& running_var, double eps);
  std::string relu(const std::string& x);
  std::string sigmoid(const std::string& x);
  std::string tanh(const std::string& x);
  std::string leaky_relu(const std::string& x, double slope);
  std::string hard_sigmoid(const std::string& x, double alpha, double beta);  // clamp(αx + β, 0, 1)
  std::string add(const std::string& a, const std::string& b);
  std::string sub(const std::string& a, const std::string& b);
  std::string mul(const std::string& a, const std::string& b);
  std::string div(const std::string& a, const std::string& b);
  std::string matmul(const std::string& a, const std::string& b);
  // x [N, in] · weightᵀ + bias (Gemm); other ranks: MatMul by weightᵀ, then Add.
  std::string linear(const std::string& x, const Tensor& weight, const Tensor& bias);
  std::string reshape(const std::string& x, const Shape& shape);
  std::string transpose(const std::string& x, const std::vector<int64_t>& perm);
  std::string flatten(const std::string& x, int64_t axis);  // ONNX's: [prod(d[:axis]), prod(d[axis:])]
  std::string softmax(const std::string& x, int64_t axis);
  // ReduceMean, ReduceMax, ReduceL2 or ReduceLogSumExp over `axes` (non-negative).
  std::string reduce(const std::string& op, const std::string& x, const std::vector<int64_t>& axes, bool keepdims);
  // The mean over every spatial dim, kept as size 1: ReduceMean (OpenCV 4.6's GlobalAveragePool
  // refuses 5-D inputs).
  std::string global_average_pool(const std::string& x);
  std::string global_max_pool(const std::string& x);
  std::string max_pool(const std::string& x, const PoolOptions& options);
  std::string average_pool(const std::string& x, const PoolOptions& options);
  std::string concat(const std::vector<std::string>& values, int64_t axis);
  std::string slice(const std::string& x, int64_t axis, int64_t start, int64_t end);
  // Bilinear (2 spatial dims, align_corners false) or nearest resizing to `size`.
  std::string resize(const std::string& x, const std::vector<int64_t>& size, const std::string& mode, bool align_corners);
  // x [N, 1, *] repeated over `channels` channels by a 1x1 convolution with unit weights: an
  // exact broadcast that OpenCV 4.6 runs (it refuses, or mis-computes, [N,C,1,1] · [N,1,H,W]).
  std::string repeat_channels(const std::string& x, int64_t channels);

  // Replaces each BatchNormalization that alone reads a Conv's output by new weights and bias of
  // that Conv: w' = w·γ/√(σ²+ε), b' = (b − μ)·γ/√(σ²+ε) + β, in double precision.
  // Returns how many were folded.
  int64_t fold_batch_norms();

  const std::vector<OnnxNode>& nodes() const { return nodes_; }
  const std::vector<OnnxInitializer>& initializers() const { return initializers_; }
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<std::string>& outputs() const { return outputs_; }

 private:
  std::string emit(const std::string& op_type, std::vector<std::string> inputs, Tensor sample,
                   std::vector<OnnxAttribute> attributes = {});
  std::string unique_name(const std::string& base);
  std::string pool(const std::string& op, const std::string& x, const PoolOptions& options, Tensor sample);
  const Tensor& initializer_value(const std::string& name) const;

  NoGradGuard no_grad_;  // samples are values, never part of a training graph
  std::vector<std::string> scope_;
  std::vector<OnnxNode> nodes_;
  std::vector<OnnxInitializer> initializers_;
  std::map<std::string, Tensor> samples_;
  std::map<std::string, int64_t> name_counts_;
  std::vector<std::string> inputs_, outputs_;
};

}  // namespace gaze
