// CBAM (Woo et al., ECCV 2018): a channel gate σ(MLP(avg) + MLP(max)) with one shared MLP, then
// a spatial gate σ(conv_k([mean_c; max_c])), applied in sequence, channel first. Each gate is a
// layer of its own and can be used alone.
#pragma once
#include "layers/attention/attention_map.h"
#include "layers/conv.h"
#include "layers/sequential.h"

namespace gaze {

struct ChannelGateOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
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
  int dims = 2;  // spatial dims of the input (the conv's rank)
};

class SpatialGate : public Module, public AttentionMapRecorder {
 public:
  explicit SpatialGate(SpatialGateOptions options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SpatialGate"; }
  std::string extra_repr() const override;

 private:
  SpatialGateOptions options_;
  std::shared_ptr<Conv> conv_;  // 2 → 1 channels, no bias, no BatchNorm (the paper's form)
};

struct CBAMOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  int64_t spatial_kernel = 7;
  int dims = 2;
  bool channel_gate = true;  // either gate can be switched off for ablations
  bool spatial_gate = true;
};

class CBAM : public Module {
 public:
  explicit CBAM(CBAMOptions options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "CBAM"; }
  std::string extra_repr() const override;
  std::shared_ptr<ChannelGate> channel;  // null when switched off
  std::shared_ptr<SpatialGate> spatial;

 private:
  CBAMOptions options_;
};

}  // namespace gaze
