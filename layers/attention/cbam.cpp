#include "layers/attention/cbam.h"

#include <set>

#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/linear.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(ChannelPool) {
  static const ChoiceNames names{"ChannelGate", "pool type", "pool types", {{"avg", ""}, {"max", ""}, {"lp", ""}, {"lse", ""}}};
  return names;
}

const ChoiceNames& choice_names(SpatialPoolOrder) {
  static const ChoiceNames names{"SpatialGate", "pool order", "orders", {{"mean_max", "the paper"}, {"max_mean", "the authors' code"}}};
  return names;
}

ChannelGate::ChannelGate(ChannelGateOptions o) : options_(std::move(o)) {
  int64_t hidden = hidden_width("ChannelGate", options_.channels, options_.reduction);
  if (options_.pool_types.empty()) fail("ChannelGate: pool_types is empty; choose from avg, max, lp, lse");
  std::set<ChannelPool> seen;
  for (ChannelPool p : options_.pool_types)
    if (!seen.insert(p).second) fail("ChannelGate: pool type '{}' is given twice", name_of(p));
  mlp_ = register_module("mlp", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                    std::make_shared<Linear>(options_.channels, hidden), std::make_shared<ReLU>(),
                                    std::make_shared<Linear>(hidden, options_.channels)}));
}

namespace {

// One descriptor [N, C] of x [N, C, *spatial] over every position.
Tensor channel_descriptor(const Tensor& x, ChannelPool type) {
  if (type == ChannelPool::avg) return flatten(global_avg_pool(x), 1);
  if (type == ChannelPool::max) return flatten(global_max_pool(x), 1);
  Tensor flat = flatten(x, 2);  // [N, C, L]
  if (type == ChannelPool::lp) return sqrt(sum(square(flat), {2}));  // F.lp_pool2d(x, 2, whole map) = sqrt(Σ x²)
  // lse: log Σ exp x, shifted by the (constant) max for range; the shift cancels in value and gradient.
  Tensor shift = max(flat, {2}, true).detach();
  return flatten(shift + log(sum(exp(flat - shift), {2}, true)), 1);
}

}  // namespace

// Whether the descriptors are exactly avg and max, in either order: what position_mean_max gives
// in one pass (the sum of their MLP outputs does not depend on the order).
bool ChannelGate::pools_mean_and_max() const {
  const auto& p = options_.pool_types;
  return p.size() == 2 && ((p[0] == ChannelPool::avg && p[1] == ChannelPool::max) || (p[0] == ChannelPool::max && p[1] == ChannelPool::avg));
}

Tensor ChannelGate::forward(const Tensor& x) {
  check_feature_map("ChannelGate", x, options_.channels);
  const bool fused = gate_kernels_available(x);
  Tensor logits;
  if (fused && pools_mean_and_max()) {
    // Both descriptors in one pass over x, and both through the shared MLP as one batch [2N, C].
    const int64_t n = x.shape()[0], c = options_.channels;
    Tensor raw = mlp_->forward(reshape(position_mean_max(x), {2 * n, c}));
    logits = sum(reshape(raw, {2, n, c}), {0});
  } else {
    for (ChannelPool p : options_.pool_types) {
      Tensor raw = mlp_->forward(channel_descriptor(x, p));
      logits = logits.defined() ? logits + raw : raw;
    }
  }
  Tensor gate = reshape(sigmoid(logits), channel_gate_shape(x));
  remember(gate);
  return fused ? gate_multiply(x, gate) : x * gate;
}

std::string ChannelGate::extra_repr() const {
  if (options_.pool_types == ChannelGateOptions{}.pool_types) return fmt::format("{}, reduction={}", options_.channels, options_.reduction);
  std::vector<std::string> names;
  for (ChannelPool p : options_.pool_types) names.push_back(name_of(p));
  return fmt::format("{}, reduction={}, pool_types=[{}]", options_.channels, options_.reduction, fmt::join(names, ","));
}

SpatialGate::SpatialGate(SpatialGateOptions o) : options_(std::move(o)) {
  if (options_.kernel < 1 || options_.kernel % 2 == 0) fail("SpatialGate: kernel must be odd and positive, got {}", options_.kernel);
  conv_ = register_module("conv", make_conv(options_.dims, 2, 1, options_.kernel, 1, options_.kernel / 2, /*bias=*/false));
  // The authors' BasicConv: BatchNorm2d(1, eps=1e-5, momentum=0.01, affine=True).
  if (options_.bn) bn_ = register_module("bn", std::make_shared<BatchNorm>(BatchNormOptions{.channels = 1, .momentum = 0.01}));
}

Tensor SpatialGate::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != options_.dims + 2)
    fail("SpatialGate: expected input [N, C, {} spatial dims], got {}", options_.dims, x.defined() ? shape_str(x.shape()) : "undefined");
  const bool fused = gate_kernels_available(x);
  const bool max_first = options_.pool_order == SpatialPoolOrder::max_mean;
  Tensor pooled;
  if (fused) {
    pooled = channel_mean_max(x, max_first);  // both maps in one pass over x, already stacked
  } else {
    Tensor avg = mean(x, {1}, true), mx = max(x, {1}, true);
    pooled = max_first ? cat({mx, avg}, 1) : cat({avg, mx}, 1);
  }
  Tensor logits = conv_->forward(pooled);
  if (bn_) logits = bn_->forward(logits);
  Tensor gate = sigmoid(logits);
  remember(gate);
  return fused ? gate_multiply(x, gate) : x * gate;
}

std::string SpatialGate::extra_repr() const {
  return fmt::format("kernel={}{}{}", options_.kernel, options_.bn ? ", bn" : "",
                     options_.pool_order != SpatialPoolOrder::mean_max ? ", pool_order=" + name_of(options_.pool_order) : "");
}

CBAM::CBAM(CBAMOptions o) : options_(std::move(o)) {
  if (!options_.channel_gate && !options_.spatial_gate) fail("CBAM: at least one of channel_gate and spatial_gate must be on");
  if (options_.channel_gate)
    channel = register_module("channel", std::make_shared<ChannelGate>(ChannelGateOptions{
                                             .channels = options_.channels, .reduction = options_.reduction, .pool_types = options_.pool_types}));
  if (options_.spatial_gate)
    spatial = register_module("spatial", std::make_shared<SpatialGate>(SpatialGateOptions{.kernel = options_.spatial_kernel,
                                                                                           .dims = options_.dims,
                                                                                           .bn = options_.spatial_bn,
                                                                                           .pool_order = options_.spatial_pool_order}));
}

Tensor CBAM::forward(const Tensor& x) {
  check_feature_map("CBAM", x, options_.channels);
  Tensor y = channel ? channel->forward(x) : x;
  return spatial ? spatial->forward(y) : y;
}

std::string CBAM::extra_repr() const {
  return fmt::format("{}, reduction={}, spatial_kernel={}", options_.channels, options_.reduction, options_.spatial_kernel);
}

std::string ChannelGate::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::vector<int64_t> spatial;
  for (int64_t d = 2; d < graph.sample(x).dim(); ++d) spatial.push_back(d);
  std::string logits;
  for (ChannelPool p : options_.pool_types) {
    std::string pooled = p == ChannelPool::avg   ? graph.global_average_pool(x)
                         : p == ChannelPool::max ? graph.global_max_pool(x)
                         : p == ChannelPool::lp  ? graph.reduce("ReduceL2", x, spatial, true)
                                                 : graph.reduce("ReduceLogSumExp", x, spatial, true);
    std::string raw = export_child(graph, *mlp_, graph.flatten(pooled, 1));
    logits = logits.empty() ? raw : graph.add(logits, raw);
  }
  return graph.mul(x, graph.reshape(graph.sigmoid(logits), channel_gate_shape(graph.sample(x))));
}

std::string SpatialGate::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string avg = graph.reduce("ReduceMean", x, {1}, true), mx = graph.reduce("ReduceMax", x, {1}, true);
  std::string pooled = options_.pool_order == SpatialPoolOrder::mean_max ? graph.concat({avg, mx}, 1) : graph.concat({mx, avg}, 1);
  std::string logits = export_child(graph, *conv_, pooled);
  if (bn_) logits = export_child(graph, *bn_, logits);
  return graph.mul(x, graph.sigmoid(logits));
}

std::string CBAM::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  std::string y = single_input(inputs);
  if (channel) y = export_child(graph, *channel, y);
  return spatial ? export_child(graph, *spatial, y) : y;
}

// The authors' CBAM: ChannelGate.mlp = Sequential(Flatten, Linear, ReLU, Linear) and
// SpatialGate.spatial = BasicConv(conv without bias, bn). Their ChannelPool concatenates
// [max; mean], so a layer pooling [mean; max] would load the weights and silently compute
// something else: that is refused here, as is the paper's BN-free gate, whose missing BN cannot
// be emulated (a BN folded into the conv leaves a bias the bias-free conv has no room for, and in
// training a BN does not fold at all).
OfficialNames CBAM::official_names() const {
  if (!channel) fail("CBAM: the authors' CBAM always has its channel gate; official names need channel_gate: true");
  OfficialNames names("Jongchan/attention-module MODELS/cbam.py CBAM");
  names.add_weight_bias("ChannelGate.mlp.1", "channel.mlp.0");
  names.add_weight_bias("ChannelGate.mlp.3", "channel.mlp.2");
  if (spatial) {
    if (!options_.spatial_bn || options_.spatial_pool_order != SpatialPoolOrder::max_mean)
      fail("CBAM: the authors' spatial gate is sigmoid(BN(conv([max; mean]))); official names need spatial_bn: true and "
           "spatial_pool_order: max_mean (this layer has spatial_bn: {}, spatial_pool_order: {}), or spatial_gate: false for "
           "their no_spatial=True",
           options_.spatial_bn, name_of(options_.spatial_pool_order));
    names.add("SpatialGate.spatial.conv.weight", "spatial.conv.weight");
    names.add_batch_norm("SpatialGate.spatial.bn", "spatial.bn");
  }
  return names;
}

}  // namespace gaze
