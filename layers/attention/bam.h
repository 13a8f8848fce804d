// BAM, the Bottleneck Attention Module (Park, Woo, Lee, Kweon, BMVC 2018), with the branches as
// in the authors' code (github.com/Jongchan/attention-module, MODELS/bam.py).
//
// For x [N, C, H, W] and h = max(1, C / reduction):
//   channel branch  Mc = FC(h→C)(ReLU(BN1d(FC(C→h)(GAP(x)))))                       [N, C, 1, 1]
//   spatial branch  Ms = Conv1x1(h→1)(g(g(g0(x))))                                 [N, 1, H, W]
//                   g0 = ReLU(BN2d(Conv1x1(C→h)))
//                   g  = ReLU(BN2d(Conv3x3(h→h, dilation d, padding d)))   (two of them, d = 4)
//   gate            M  = σ(Mc ⊙ Ms)   combine = "product" (default): the authors' code
//                   M  = σ(Mc + Ms)   combine = "sum": the paper's formula M(F) = σ(Mc(F) + Ms(F))
//                   (Mc and Ms broadcast to [N, C, H, W] before they meet)
//   output          y  = x + x ⊙ M  = x ⊙ (1 + M)   in both cases (the paper's F' = F + F ⊗ M(F);
//                   the code writes it as (1 + M) · x, the same thing).
//
// So the two options differ only in how the branches meet inside the sigmoid. The paper writes a
// sum (and its ablation of sum / product / max prefers the sum), while the released code, whose
// trained weights are the published ones, multiplies; the default follows the code. Two more
// differences from the paper's text, where this layer follows the code in both modes: the paper
// puts a BatchNorm at the end of each branch (Mc = BN(MLP(GAP(x))), Ms = BN(Conv1x1(...))), the
// code puts BN + ReLU after the hidden FC and after every convolution but the last one, including
// the first 1x1 reduction.
//
// The authors' ChannelGate(num_layers) and SpatialGate(dilation_conv_num) make the depth of each
// branch an argument; `num_layers` (hidden FC + BN + ReLU blocks of the channel branch, 1 by
// default) and `dilation_conv_num` (dilated 3x3 blocks of the spatial branch, 2 by default) are
// those. Their ChannelGate pools with avg_pool2d(x, H), which is global only for square maps;
// gaze pools globally, the same thing where the authors' code runs at all (H = W).
//
// The recorded attention map is the gate M [N, C, H, W].
#pragma once
#include <string>

#include "layers/attention/attention_map.h"
#include "layers/option_binder.h"
#include "layers/sequential.h"

namespace gaze {

// How the branches meet inside the sigmoid.
enum class BAMCombine { product, sum };
const ChoiceNames& choice_names(BAMCombine);

struct BAMOptions {
  int64_t channels = 0;
  int64_t reduction = 16;
  int64_t dilation = 4;
  BAMCombine combine = BAMCombine::product;
  int64_t num_layers = 1;         // the authors' num_layers
  int64_t dilation_conv_num = 2;  // the authors' dilation_conv_num

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("reduction", reduction, "hidden width of both branches = max(1, channels / reduction)");
    b.option("dilation", dilation, "dilation of the spatial branch's 3x3 convs");
    b.option("combine", combine, "product (sigmoid(Mc*Ms), the authors' code) or sum (sigmoid(Mc+Ms), the paper)");
    b.option("num_layers", num_layers, "hidden FC-BN-ReLU blocks of the channel branch");
    b.option("dilation_conv_num", dilation_conv_num, "dilated conv-BN-ReLU blocks of the spatial branch");
  }
};

class BAM : public Module, public AttentionMapRecorder {
 public:
  explicit BAM(BAMOptions options);
  Tensor forward(const Tensor& x) override;  // x [N, C, H, W] -> [N, C, H, W]
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "BAM"; }
  std::string extra_repr() const override;
  // Jongchan/attention-module MODELS/bam.py BAM (channel_att.gate_c.*, spatial_att.gate_s.*); needs
  // combine: product, the code's.
  OfficialNames official_names() const override;
  const BAMOptions& options() const { return options_; }

 private:
  BAMOptions options_;
  // With the defaults: channel.0 FC, channel.1 BN, channel.2 ReLU, channel.3 FC; each extra layer
  // adds FC, BN, ReLU before the last FC (block i at 3i, 3i+1, 3i+2).
  std::shared_ptr<Sequential> channel_;
  // With the defaults: spatial.0 1x1 conv, .1 BN, .2 ReLU, .3/.6 dilated 3x3 convs, .4/.7 BN,
  // .5/.8 ReLU, .9 1x1 conv; dilated block i at 3 + 3i, the last conv at 3 + 3·dilation_conv_num.
  std::shared_ptr<Sequential> spatial_;
};

}  // namespace gaze
