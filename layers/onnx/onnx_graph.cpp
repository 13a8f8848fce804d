#include "layers/onnx/onnx_graph.h"

#include <cmath>
#include <set>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

OnnxAttribute OnnxAttribute::of(std::string name, int64_t value) {
  OnnxAttribute a;
  a.name = std::move(name);
  a.kind = Kind::integer;
  a.integer = value;
  return a;
}

OnnxAttribute OnnxAttribute::of(std::string name, std::vector<int64_t> values) {
  OnnxAttribute a;
  a.name = std::move(name);
  a.kind = Kind::integers;
  a.integers = std::move(values);
  return a;
}

OnnxAttribute OnnxAttribute::of(std::string name, float value) {
  OnnxAttribute a;
  a.name = std::move(name);
  a.kind = Kind::real;
  a.real = value;
  return a;
}

OnnxAttribute OnnxAttribute::of(std::string name, std::string value) {
  OnnxAttribute a;
  a.name = std::move(name);
  a.kind = Kind::text;
  a.text = std::move(value);
  return a;
}

std::string OnnxGraph::add_input(const std::string& name, const Tensor& sample) {
  if (samples_.count(name)) fail("ONNX export: the input name '{}' is taken", name);
  name_counts_[name] = 1;
  samples_[name] = sample.detach();
  inputs_.push_back(name);
  return name;
}

void OnnxGraph::add_output(const std::string& value, const std::string& name) {
  sample(value);  // fails on an unknown value
  if (value != name) {
    if (samples_.count(name)) fail("ONNX export: the output name '{}' is taken", name);
    for (auto& node : nodes_) {
      for (auto& in : node.inputs)
        if (in == value) in = name;
      for (auto& out : node.outputs)
        if (out == value) out = name;
    }
    for (auto& input : inputs_)
      if (input == value) fail("ONNX export: the graph's input '{}' is its output too; nothing was computed", value);
    samples_[name] = samples_.at(value);
    samples_.erase(value);
  }
  outputs_.push_back(name);
}

const Tensor& OnnxGraph::sample(const std::string& value) const {
  auto it = samples_.find(value);
  if (it == samples_.end()) fail("ONNX export: internal: no value named '{}' at {}", value, path().empty() ? "the top" : path());
  return it->second;
}

void OnnxGraph::push_scope(const std::string& name) { scope_.push_back(name); }
void OnnxGraph::pop_scope() { scope_.pop_back(); }

std::string OnnxGraph::path() const {
  std::string out;
  for (const auto& s : scope_) out += (out.empty() ? "" : ".") + s;
  return out;
}

std::string OnnxGraph::unique_name(const std::string& base) {
  int64_t& count = name_counts_[base];
  std::string name = count == 0 ? base : fmt::format("{}_{}", base, count + 1);
  ++count;
  while (samples_.count(name)) name = fmt::format("{}_{}", base, ++count);
  return name;
}

std::string OnnxGraph::initializer(const std::string& name, const Tensor& value) {
  if (!value.defined()) fail("ONNX export: internal: initializer '{}' at {} is undefined", name, path());
  if (value.dtype() == DType::f64) fail("ONNX export: {}.{} is f64; export a model in f32", path(), name);
  const std::string full = unique_name(path().empty() ? name : path() + "." + name);
  Tensor host = value.detach().to(Device::cpu());
  initializers_.push_back({full, host});
  samples_[full] = host;
  return full;
}

std::string OnnxGraph::constant(const Tensor& value) { return initializer("const", value); }

std::string OnnxGraph::scalar(double value) { return constant(full({1}, value)); }

std::string OnnxGraph::int64s(const std::vector<int64_t>& values) {
  return constant(from_vector(values, {static_cast<int64_t>(values.size())}));
}

std::string OnnxGraph::emit(const std::string& op_type, std::vector<std::string> inputs, Tensor sample,
                            std::vector<OnnxAttribute> attributes) {
  const std::string name = unique_name(path().empty() ? op_type : path() + "/" + op_type);
  samples_[name] = sample.detach();
  nodes_.push_back({op_type, name, std::move(inputs), {name}, std::move(attributes)});
  return name;
}

std::string OnnxGraph::conv(const std::string& x, const Tensor& weight, const Tensor& bias, const ConvOptions& options) {
  const Tensor& in = sample(x);
  const int64_t spatial = weight.dim() - 2;
  std::vector<int64_t> kernel(weight.shape().begin() + 2, weight.shape().end());
  std::vector<int64_t> pads = expand_param(options.padding, spatial, "Conv", "padding");
  pads.insert(pads.end(), pads.begin(), pads.end());  // ONNX: every begin, then every end
  Tensor out = gaze::conv(in, weight, bias, options);
  std::vector<std::string> inputs{x, initializer("weight", weight)};
  if (bias.defined()) inputs.push_back(initializer("bias", bias));
  return emit("Conv", inputs, out,
              {OnnxAttribute::of("kernel_shape", kernel), OnnxAttribute::of("strides", expand_param(options.stride, spatial, "Conv", "stride")),
               OnnxAttribute::of("pads", pads), OnnxAttribute::of("dilations", expand_param(options.dilation, spatial, "Conv", "dilation")),
               OnnxAttribute::of("group", options.groups)});
}

std::string OnnxGraph::batch_norm(const std::string& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                                  const Tensor& running_var, double eps) {
  const int64_t channels = running_mean.numel();
  Tensor scale = weight.defined() ? weight : ones({channels});
  Tensor shift = bias.defined() ? bias : zeros({channels});
  Tensor out = gaze::batch_norm(sample(x), scale, shift, running_mean, running_var, /*training=*/false, 0.1, eps);
  return emit("BatchNormalization",
              {x, initializer("weight", scale), initializer("bias", shift), initializer("running_mean", running_mean),
               initializer("running_var", running_var)},
              out, {OnnxAttribute::of("epsilon", static_cast<float>(eps))});
}

std::string OnnxGraph::relu(const std::string& x) { return emit("Relu", {x}, gaze::relu(sample(x))); }
std::string OnnxGraph::sigmoid(const std::string& x) { return emit("Sigmoid", {x}, gaze::sigmoid(sample(x))); }
std::string OnnxGraph::tanh(const std::string& x) { return emit("Tanh", {x}, gaze::tanh(sample(x))); }

std::string OnnxGraph::leaky_relu(const std::string& x, double slope) {
  return emit("LeakyRelu", {x}, gaze::leaky_relu(sample(x), slope), {OnnxAttribute::of("alpha", static_cast<float>(slope))});
}

std::string OnnxGraph::hard_sigmoid(const std::string& x, double alpha, double beta) {
  return emit("HardSigmoid", {x}, clamp(sample(x) * alpha + beta, 0.0, 1.0),
              {OnnxAttribute::of("alpha", static_cast<float>(alpha)), OnnxAttribute::of("beta", static_cast<float>(beta))});
}

std::string OnnxGraph::add(const std::string& a, const std::string& b) { return emit("Add", {a, b}, sample(a) + sample(b)); }
std::string OnnxGraph::sub(const std::string& a, const std::string& b) { return emit("Sub", {a, b}, sample(a) - sample(b)); }
std::string OnnxGraph::mul(const std::string& a, const std::string& b) { return emit("Mul", {a, b}, sample(a) * sample(b)); }
std::string OnnxGraph::div(const std::string& a, const std::string& b) { return emit("Div", {a, b}, sample(a) / sample(b)); }

std::string OnnxGraph::matmul(const std::string& a, const std::string& b) {
  return emit("MatMul", {a, b}, gaze::matmul(sample(a), sample(b)));
}

std::string OnnxGraph::linear(const std::string& x, const Tensor& weight, const Tensor& bias) {
  const Tensor& in = sample(x);
  Tensor out = gaze::linear(in, weight, bias);
  if (in.dim() == 2) {
    // A zero bias when there is none: OpenCV 4.6 wants Gemm's C.
    Tensor c = bias.defined() ? bias : zeros({weight.shape()[0]});
    return emit("Gemm", {x, initializer("weight", weight), initializer("bias", c)}, out, {OnnxAttribute::of("transB", int64_t{1})});
  }
  std::string y = emit("MatMul", {x, initializer("weight_t", contiguous(gaze::transpose(weight, 0, 1)))}, gaze::linear(in, weight));
  return bias.defined() ? add(y, initializer("bias", bias)) : y;
}

std::string OnnxGraph::reshape(const std::string& x, const Shape& shape) {
  return emit("Reshape", {x, int64s(shape)}, gaze::reshape(sample(x), shape));
}

std::string OnnxGraph::transpose(const std::string& x, const std::vector<int64_t>& perm) {
  return emit("Transpose", {x}, permute(sample(x), perm), {OnnxAttribute::of("perm", perm)});
}

std::string OnnxGraph::flatten(const std::string& x, int64_t axis) {
  const Shape& s = shape(x);
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < static_cast<int64_t>(s.size()); ++i) (i < axis ? outer : inner) *= s[i];
  return emit("Flatten", {x}, gaze::reshape(sample(x), {outer, inner}), {OnnxAttribute::of("axis", axis)});
}

std::string OnnxGraph::softmax(const std::string& x, int64_t axis) {
  return emit("Softmax", {x}, gaze::softmax(sample(x), axis), {OnnxAttribute::of("axis", axis)});
}

std::string OnnxGraph::reduce(const std::string& op, const std::string& x, const std::vector<int64_t>& axes, bool keepdims) {
  const Tensor& in = sample(x);
  Tensor out;
  if (op == "ReduceMean") {
    out = mean(in, axes, keepdims);
  } else if (op == "ReduceMax") {
    out = max(in, axes, keepdims);
  } else if (op == "ReduceL2") {
    out = sqrt(sum(square(in), axes, keepdims));
  } else if (op == "ReduceLogSumExp") {
    Tensor shift = max(in, axes, true);
    out = log(sum(exp(in - shift), axes, true)) + shift;
    if (!keepdims) out = gaze::reshape(out, max(in, axes, false).shape());
  } else {
    fail("ONNX export: internal: unknown reduction {}", op);
  }
  return emit(op, {x}, out, {OnnxAttribute::of("axes", axes), OnnxAttribute::of("keepdims", int64_t{keepdims ? 1 : 0})});
}

namespace {
std::vector<int64_t> spatial_axes(const Shape& shape) {
  std::vector<int64_t> axes;
  for (int64_t i = 2; i < static_cast<int64_t>(shape.size()); ++i) axes.push_back(i);
  return axes;
}
}  // namespace

std::string OnnxGraph::global_average_pool(const std::string& x) { return reduce("ReduceMean", x, spatial_axes(shape(x)), true); }
std::string OnnxGraph::global_max_pool(const std::string& x) { return reduce("ReduceMax", x, spatial_axes(shape(x)), true); }

std::string OnnxGraph::pool(const std::string& op, const std::string& x, const PoolOptions& options, Tensor out) {
  const int64_t spatial = shape(x).size() - 2;
  std::vector<int64_t> kernel = expand_param(options.kernel, spatial, op.c_str(), "kernel");
  std::vector<int64_t> stride = options.stride.empty() ? kernel : expand_param(options.stride, spatial, op.c_str(), "stride");
  std::vector<int64_t> pads = expand_param(options.padding, spatial, op.c_str(), "padding");
  pads.insert(pads.end(), pads.begin(), pads.end());
  std::vector<OnnxAttribute> attributes{OnnxAttribute::of("kernel_shape", kernel), OnnxAttribute::of("strides", stride),
                                        OnnxAttribute::of("pads", pads), OnnxAttribute::of("ceil_mode", int64_t{options.ceil_mode})};
  if (op == "AveragePool") attributes.push_back(OnnxAttribute::of("count_include_pad", int64_t{options.count_include_pad}));
  std::vector<int64_t> dilation = expand_param(options.dilation, spatial, op.c_str(), "dilation");
  if (op == "MaxPool" && dilation != std::vector<int64_t>(spatial, 1)) attributes.push_back(OnnxAttribute::of("dilations", dilation));
  return emit(op, {x}, out, attributes);
}

std::string OnnxGraph::max_pool(const std::string& x, const PoolOptions& options) {
  return pool("MaxPool", x, options, gaze::max_pool(sample(x), options));
}

std::string OnnxGraph::average_pool(const std::string& x, const PoolOptions& options) {
  return pool("AveragePool", x, options, gaze::avg_pool(sample(x), options));
}

std::string OnnxGraph::concat(const std::vector<std::string>& values, int64_t axis) {
  std::vector<Tensor> tensors;
  for (const auto& v : values) tensors.push_back(sample(v));
  return emit("Concat", values, cat(tensors, axis), {OnnxAttribute::of("axis", axis)});
}

std::string OnnxGraph::slice(const std::string& x, int64_t axis, int64_t start, int64_t end) {
  return emit("Slice", {x, int64s({start}), int64s({end}), int64s({axis})}, narrow(sample(x), axis, start, end - start));
}

std::string OnnxGraph::resize(const std::string& x, const std::vector<int64_t>& size, const std::string& mode, bool align_corners) {
  const Tensor& in = sample(x);
  if (size.size() + 2 != static_cast<size_t>(in.dim())) fail("ONNX export: internal: resize of a {}-D value to {} sizes", in.dim(), size.size());
  Shape sizes{in.shape()[0], in.shape()[1]};
  sizes.insert(sizes.end(), size.begin(), size.end());
  const bool nearest = mode == "nearest";
  // gaze's nearest is PyTorch's legacy one: source index floor(i · in / out).
  std::vector<OnnxAttribute> attributes{
      OnnxAttribute::of("mode", std::string(nearest ? "nearest" : "linear")),
      OnnxAttribute::of("coordinate_transformation_mode", std::string(nearest ? "asymmetric" : align_corners ? "align_corners" : "half_pixel"))};
  if (nearest) attributes.push_back(OnnxAttribute::of("nearest_mode", std::string("floor")));
  return emit("Resize", {x, constant(zeros({0})), constant(zeros({0})), int64s(sizes)}, interpolate(in, size, mode, align_corners),
              attributes);
}

std::string OnnxGraph::repeat_channels(const std::string& x, int64_t channels) {
  const Shape& s = shape(x);
  if (s.size() < 3 || s[1] != 1) fail("ONNX export: internal: repeat_channels needs [N, 1, *], got {}", shape_str(s));
  Shape weight_shape(s.size(), 1);
  weight_shape[0] = channels;
  Tensor weight = ones(weight_shape);
  std::string weight_name = constant(weight);
  Tensor out = gaze::conv(sample(x), weight);
  const std::vector<int64_t> unit(s.size() - 2, 1), none(2 * (s.size() - 2), 0);
  return emit("Conv", {x, weight_name}, out,
              {OnnxAttribute::of("kernel_shape", unit), OnnxAttribute::of("strides", unit), OnnxAttribute::of("pads", none),
               OnnxAttribute::of("dilations", unit), OnnxAttribute::of("group", int64_t{1})});
}

const Tensor& OnnxGraph::initializer_value(const std::string& name) const {
  for (const auto& init : initializers_)
    if (init.name == name) return init.value;
  fail("ONNX export: internal: no initializer '{}'", name);
}

int64_t OnnxGraph::fold_batch_norms() {
  std::map<std::string, int64_t> readers;
  for (const auto& node : nodes_)
    for (const auto& in : node.inputs) ++readers[in];
  for (const auto& out : outputs_) ++readers[out];
  std::map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes_.size(); ++i) producer[nodes_[i].outputs[0]] = i;
  std::set<size_t> folded;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const OnnxNode& bn = nodes_[i];
    if (bn.op_type != "BatchNormalization") continue;
    auto it = producer.find(bn.inputs[0]);
    if (it == producer.end() || readers[bn.inputs[0]] != 1) continue;
    OnnxNode& conv = nodes_[it->second];
    if (conv.op_type != "Conv") continue;
    const double eps = bn.attributes.at(0).real;
    const std::vector<float> gamma = initializer_value(bn.inputs[1]).to_vector<float>(), beta = initializer_value(bn.inputs[2]).to_vector<float>(),
                             mu = initializer_value(bn.inputs[3]).to_vector<float>(), var = initializer_value(bn.inputs[4]).to_vector<float>();
    const Tensor& weight = initializer_value(conv.inputs[1]);
    std::vector<float> w = weight.to_vector<float>();
    std::vector<float> b = conv.inputs.size() > 2 ? initializer_value(conv.inputs[2]).to_vector<float>() : std::vector<float>(gamma.size(), 0.0f);
    const size_t per_channel = w.size() / gamma.size();
    for (size_t c = 0; c < gamma.size(); ++c) {
      const double factor = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
      for (size_t k = 0; k < per_channel; ++k) w[c * per_channel + k] = static_cast<float>(w[c * per_channel + k] * factor);
      b[c] = static_cast<float>((static_cast<double>(b[c]) - mu[c]) * factor + beta[c]);
    }
    for (auto& init : initializers_)
      if (init.name == conv.inputs[1]) init.value = from_vector(w, weight.shape());
    Tensor folded_bias = from_vector(b, {static_cast<int64_t>(b.size())});
    if (conv.inputs.size() > 2) {
      for (auto& init : initializers_)
        if (init.name == conv.inputs[2]) init.value = folded_bias;
    } else {
      std::string name = conv.inputs[1];
      if (name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0) name = name.substr(0, name.size() - 6) + "bias";
      name = unique_name(name);
      initializers_.push_back({name, folded_bias});
      samples_[name] = folded_bias;
      conv.inputs.push_back(name);
    }
    conv.outputs[0] = bn.outputs[0];
    folded.insert(i);
  }
  std::vector<OnnxNode> kept;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!folded.count(i)) kept.push_back(std::move(nodes_[i]));
  nodes_ = std::move(kept);
  // Drop the BatchNormalizations' parameters, now read by nothing.
  std::set<std::string> read;
  for (const auto& node : nodes_) read.insert(node.inputs.begin(), node.inputs.end());
  std::vector<OnnxInitializer> used;
  for (auto& init : initializers_)
    if (read.count(init.name)) used.push_back(std::move(init));
  initializers_ = std::move(used);
  return static_cast<int64_t>(folded.size());
}

}  // namespace gaze
