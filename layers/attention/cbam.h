// CBAM (Woo et al., ECCV 2018): a channel gate σ(Σ_p MLP(pool_p(x))) with one shared MLP over the
// pooled descriptors (avg and max by default), then a spatial gate σ(conv_k([mean_c; max_c])),
// applied in sequence, channel first. Each gate is a layer of its own and can be used alone.
//
// The defaults are the paper's. The authors' code (github.com/Jongchan/attention-module,
// MODELS/cbam.py) differs in the spatial gate, sigmoid(BN(conv([max_c; mean_c]))) with a bias-free
// conv and BatchNorm2d(1, momentum 0.01); `spatial_bn: true` and `spatial_pool_order: max_mean`
// give exactly that form, and only that form loads the authors' weights (official_names()). Its
// `pool_types` also offers 'lp' (the L2 norm over positions, F.lp_pool2d with p = 2) and 'lse'
// (log-sum-exp over positions).
#pragma once
#include <string>
#include <vector>

#include "layers/attention/attention_map.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/option_binder.h"
#include "layers/sequential.h"

namespace gaze {

// The channel gate's descriptors, each over every position, as the authors' pool_types: avg, max,
// lp (sqrt(Σ x²)), lse (log Σ exp x).
enum class ChannelPool { avg, max, lp, lse };
const ChoiceNames& choice_names(ChannelPool);

// The channels of the spatial gate's conv input: mean_max [mean_c; max_c] (the paper) or max_mean
// (the authors' code).
enum class SpatialPoolOrder { mean_max, max_mean };
const ChoiceNames& choice_names(SpatialPoolOrder);

struct ChannelGateOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  // Descriptors fed to the shared MLP, their outputs summed.
  std::vector<ChannelPool> pool_types = {ChannelPool::avg, ChannelPool::max};
};

class ChannelGate : public Module, public AttentionMapRecorder {
 public:
  bool map_is_spatial() const override { return false; }
  explicit ChannelGate(ChannelGateOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ChannelGate"; }
  std::string extra_repr() const override;
  const ChannelGateOptions& options() const { return options_; }

 private:
  bool pools_mean_and_max() const;
  ChannelGateOptions options_;
  std::shared_ptr<Sequential> mlp_;  // mlp.0 (C → C/r), mlp.1 ReLU, mlp.2 (C/r → C)
};

struct SpatialGateOptions {
  int64_t kernel = 7;
  int dims = 2;                          // spatial dims of the input (the conv's rank)
  bool bn = false;                       // BatchNorm(1, momentum 0.01) after the conv: the authors' code
  SpatialPoolOrder pool_order = SpatialPoolOrder::mean_max;
};

class SpatialGate : public Module, public AttentionMapRecorder {
 public:
  explicit SpatialGate(SpatialGateOptions options = {});
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "SpatialGate"; }
  std::string extra_repr() const override;
  const SpatialGateOptions& options() const { return options_; }

 private:
  SpatialGateOptions options_;
  std::shared_ptr<Conv> conv_;     // 2 → 1 channels, no bias
  std::shared_ptr<BatchNorm> bn_;  // null unless options.bn
};

struct CBAMOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  int64_t spatial_kernel = 7;
  int dims = 2;
  bool channel_gate = true;  // either gate can be switched off for ablations
  bool spatial_gate = true;
  std::vector<ChannelPool> pool_types = {ChannelPool::avg, ChannelPool::max};
  bool spatial_bn = false;
  SpatialPoolOrder spatial_pool_order = SpatialPoolOrder::mean_max;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("reduction", reduction, "channel-gate MLP reduction");
    b.option("spatial_kernel", spatial_kernel, "spatial-gate conv kernel (odd)");
    b.option("dims", dims, "spatial dims of the input");
    b.option("channel_gate", channel_gate, "use the channel gate");
    b.option("spatial_gate", spatial_gate, "use the spatial gate");
    b.option("pool_types", pool_types, "channel-gate descriptors, summed after the MLP");
    b.option("spatial_bn", spatial_bn, "BatchNorm (momentum 0.01) after the spatial conv (true: the authors' code)");
    b.option("spatial_pool_order", spatial_pool_order, "spatial conv input: mean_max (the paper) or max_mean (the authors' code)");
  }
};

class CBAM : public Module {
 public:
  explicit CBAM(CBAMOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "CBAM"; }
  std::string extra_repr() const override;
  // Jongchan/attention-module's CBAM (ChannelGate.mlp.1/3, SpatialGate.spatial.conv/bn); needs the
  // authors' spatial gate (spatial_bn, max_mean). Its no_spatial=True is spatial_gate: false.
  OfficialNames official_names() const override;
  const CBAMOptions& options() const { return options_; }
  std::shared_ptr<ChannelGate> channel;  // null when switched off
  std::shared_ptr<SpatialGate> spatial;

 private:
  CBAMOptions options_;
};

}  // namespace gaze
