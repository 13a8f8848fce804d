// DANet (Fu et al., CVPR 2019), as in the authors' code.
//
// PositionAttention: Q, K = 1x1 convs C → C/8, V = 1x1 conv C → C (with biases);
//   A = softmax(QᵀK) over keys ([N, HW, HW]); out = γ · V Aᵀ + x, γ learnable, init 0.
// ChannelAttention: E = X Xᵀ ([N, C, C]); official form A = softmax(rowmax(E) − E) (the
//   default), paper form A = softmax(E); out = γ · A X + x, γ init 0.
// DualAttentionHead: from backbone features, two branches (3x3 conv-BN-ReLU to C/4, PAM or
//   CAM, 3x3 conv-BN-ReLU), summed and classified by dropout 0.1 + 1x1 conv; each branch also
//   gets its own classifier (the auxiliary outputs).
#pragma once
#include <string>

#include "layers/attention/attention_impl.h"
#include "layers/attention/attention_map.h"
#include "layers/conv.h"
#include "layers/option_binder.h"
#include "layers/sequential.h"

namespace gaze {

struct PositionAttentionOptions {
  int64_t channels = 0;
  int64_t reduction = 8;
  double gamma_init = 0.0;
  AttentionImpl attention_impl = AttentionImpl::automatic;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("reduction", reduction, "query/key width = max(1, channels / reduction)");
    b.option("gamma_init", gamma_init, "initial residual scale");
    b.option("attention_impl", attention_impl,
             "fused never stores the positions x positions map; auto fuses maps over 64 MiB");
  }
};

class PositionAttention : public Module, public AttentionMapRecorder {
 public:
  explicit PositionAttention(PositionAttentionOptions options);
  Tensor forward(const Tensor& x) override;  // x [N, C, H, W]
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "PositionAttention"; }
  std::string extra_repr() const override;
  OfficialNames official_names() const override;  // junfu1115/DANet PAM_Module: query_conv, key_conv, value_conv, gamma
  const PositionAttentionOptions& options() const { return options_; }
  Tensor gamma;

 private:
  PositionAttentionOptions options_;
  std::shared_ptr<Conv> query_, key_, value_;
};

// official: A = softmax(rowmax(E) − E) (the authors' code); paper: A = softmax(E).
enum class ChannelAttentionForm { official, paper };
const ChoiceNames& choice_names(ChannelAttentionForm);

struct ChannelAttentionOptions {
  int64_t channels = 0;
  ChannelAttentionForm form = ChannelAttentionForm::official;
  double gamma_init = 0.0;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("form", form, "official (softmax(rowmax(E) - E)) or paper (softmax(E))");
    b.option("gamma_init", gamma_init, "initial residual scale");
  }
};

class ChannelAttention : public Module, public AttentionMapRecorder {
 public:
  bool map_is_spatial() const override { return false; }
  explicit ChannelAttention(ChannelAttentionOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ChannelAttention"; }
  std::string extra_repr() const override;
  OfficialNames official_names() const override;  // junfu1115/DANet CAM_Module: gamma (form official only)
  const ChannelAttentionOptions& options() const { return options_; }
  Tensor gamma;

 private:
  ChannelAttentionOptions options_;
};

struct DualAttentionHeadOptions {
  int64_t in_channels = 0;
  int64_t num_classes = 0;
  int64_t inter_channels = 0;  // 0: in_channels / 4
  double dropout = 0.1;
  ChannelAttentionForm cam_form = ChannelAttentionForm::official;
  bool position = true;        // the ablation rows of DANet's Table 1 switch one branch off
  bool channel = true;
  AttentionImpl attention_impl = AttentionImpl::automatic;  // the position branch's

  void declare(OptionBinder& b) {
    b.required("in_channels", in_channels, "backbone channels");
    b.required("num_classes", num_classes, "classes to predict");
    b.option("inter_channels", inter_channels, "branch width; 0 = in_channels / 4");
    b.option("dropout", dropout, "channel dropout before each classifier");
    b.option("cam_form", cam_form, "channel attention form");
    b.option("position", position, "use the position branch");
    b.option("channel", channel, "use the channel branch");
    b.option("attention_impl", attention_impl, "the position branch's attention_impl (see position_attention)");
  }
};

class DualAttentionHead : public Module {
 public:
  explicit DualAttentionHead(DualAttentionHeadOptions options);
  Tensor forward(const Tensor& x) override { return forward_all({x}).at("out"); }
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  // "out": the head's prediction [N, classes, H, W]; "position_aux", "channel_aux": each branch's
  // own prediction, present when the branch is on.
  TensorDict forward_all(const std::vector<Tensor>& inputs) override;
  std::string type_name() const override { return "DualAttentionHead"; }
  std::string extra_repr() const override;
  // junfu1115/DANet DANetHead: conv5a, sa, conv51, conv6 (position branch), conv5c, sc, conv52,
  // conv7 (channel branch), conv8 (fused classifier); both branches and the official CAM form needed.
  OfficialNames official_names() const override;
  const DualAttentionHeadOptions& options() const { return options_; }
  std::shared_ptr<PositionAttention> pam;  // null when off
  std::shared_ptr<ChannelAttention> cam;

 private:
  DualAttentionHeadOptions options_;
  std::shared_ptr<Sequential> pam_in_, pam_out_, pam_classifier_, cam_in_, cam_out_, cam_classifier_, classifier_;
};

}  // namespace gaze
