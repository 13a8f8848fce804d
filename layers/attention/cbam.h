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
#include "layers/sequential.h"

namespace gaze {

struct ChannelGateOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  // Descriptors fed to the shared MLP, their outputs summed: avg, max, lp (sqrt(Σ x²)), lse
  // (log Σ exp x), each over every position, as the authors' pool_types.
  std::vector<std::string> pool_types = {"avg", "max"};
};

class ChannelGate : public Module, public AttentionMapRecorder {
 public:
  bool map_is_spatial() const override { return false; }
  explicit ChannelGate(ChannelGateOptions options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ChannelGate"; }
  std::string extra_repr() const override;

 private:
  ChannelGateOptions options_;
  std::shared_ptr<Sequential> mlp_;  // mlp.0 (C → C/r), mlp.1 ReLU, mlp.2 (C/r → C)
};

struct SpatialGateOptions {
  int64_t kernel = 7;
  int dims = 2;                          // spatial dims of the input (the conv's rank)
  bool bn = false;                       // BatchNorm(1, momentum 0.01) after the conv: the authors' code
  std::string pool_order = "mean_max";   // channels of the conv's input: mean_max (paper) or max_mean (authors' code)
};

class SpatialGate : public Module, public AttentionMapRecorder {
 public:
  explicit SpatialGate(SpatialGateOptions options = {});
  Tensor forward(const Tensor& x) override;
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
  std::vector<std::string> pool_types = {"avg", "max"};  // the channel gate's descriptors
  bool spatial_bn = false;                               // the authors' BN in the spatial gate
  std::string spatial_pool_order = "mean_max";           // max_mean: the authors' channel order
};

class CBAM : public Module {
 public:
  explicit CBAM(CBAMOptions options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "CBAM"; }
  std::string extra_repr() const override;
  // Jongchan/attention-module's CBAM (ChannelGate.mlp.1/3, SpatialGate.spatial.conv/bn); needs the
  // authors' spatial gate (spatial_bn, max_mean). Its no_spatial=True is spatial_gate: false.
  OfficialNames official_names() const override;
  std::shared_ptr<ChannelGate> channel;  // null when switched off
  std::shared_ptr<SpatialGate> spatial;

 private:
  CBAMOptions options_;
};

}  // namespace gaze
