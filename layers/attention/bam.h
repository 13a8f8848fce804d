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
// The recorded attention map is the gate M [N, C, H, W].
#pragma once
#include <string>

#include "layers/attention/attention_map.h"
#include "layers/sequential.h"

namespace gaze {

struct BAMOptions {
  int64_t channels = 0;
  int64_t reduction = 16;      // hidden width of both branches = max(1, channels / reduction)
  int64_t dilation = 4;        // of the two 3x3 convolutions of the spatial branch
  std::string combine = "product";  // product: σ(Mc ⊙ Ms) (authors' code); sum: σ(Mc + Ms) (paper)
};

class BAM : public Module, public AttentionMapRecorder {
 public:
  explicit BAM(BAMOptions options);
  Tensor forward(const Tensor& x) override;  // x [N, C, H, W] -> [N, C, H, W]
  std::string type_name() const override { return "BAM"; }
  std::string extra_repr() const override;

 private:
  BAMOptions options_;
  // channel.0 FC, channel.1 BN, channel.2 ReLU, channel.3 FC.
  std::shared_ptr<Sequential> channel_;
  // spatial.0 1x1 conv, .1 BN, .2 ReLU, .3/.6 dilated 3x3 convs, .4/.7 BN, .5/.8 ReLU, .9 1x1 conv.
  std::shared_ptr<Sequential> spatial_;
};

}  // namespace gaze
