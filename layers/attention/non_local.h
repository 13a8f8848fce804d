// Non-local block (Wang et al., CVPR 2018): y_i = 1/C(x) Σ_j f(x_i, x_j) g(x_j),
// z = BN(W_z y) + x, with the BN scale initialised to 0 so the block starts as the identity.
//
// f by mode: embedded_gaussian softmax_j(θ_iᵀφ_j); gaussian softmax_j(x_iᵀx_j) (no θ, φ);
// dot_product θ_iᵀφ_j / N; concatenation ReLU(w_fᵀ[θ_i; φ_j]) / N, N the number of key
// positions. θ, φ, g are 1x1 convs to `inter_channels` (default C/2); φ and g can be
// max-pooled (2 in 1D/2D, (1,2,2) in 3D). `scale_logits` divides θᵀφ by sqrt(inter) before the
// softmax (a variant of later official code). `variant` space or time runs a 3D input as
// per-frame 2D blocks or per-position 1D blocks over time (the video variants).
// `bn_layer = false` is the authors' other W (github.com/AlexHex7/Non-local_pytorch, bn_layer=False):
// a 1x1 conv with weight and bias initialised to 0 and no BatchNorm, z = W_z y + x, again the
// identity at init. `attention_impl` (attention_impl.h) chooses whether each mode forms its map
// or not: the gaussian modes through fused_attention, dot_product as θᵀ(φ g)/N, concatenation
// through relu_pair_attention (CPU backends; elsewhere `auto` keeps the map). The authors'
// sub_sample defaults to true; gaze's to false, so that a block added to a config attends over
// every position unless asked (docs/layers.md).
#pragma once
#include <string>

#include "layers/attention/attention_impl.h"
#include "layers/attention/attention_map.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/option_binder.h"
#include "layers/sequential.h"
#include "layers/simple_layers.h"

namespace gaze {

// f(x_i, x_j) / C(x), as above.
enum class NonLocalMode { gaussian, embedded_gaussian, dot_product, concatenation };
const ChoiceNames& choice_names(NonLocalMode);

// What a 3D input's block attends over: every position (spacetime), each frame's (space), or each
// position's over time (time).
enum class NonLocalVariant { spacetime, space, time };
const ChoiceNames& choice_names(NonLocalVariant);

struct NonLocalOptions {
  int64_t channels = 0;
  NonLocalMode mode = NonLocalMode::embedded_gaussian;
  int dims = 2;
  int64_t inter_channels = 0;  // 0: channels / 2 (at least 1)
  bool sub_sample = false;
  bool scale_logits = false;
  double bn_init = 0.0;
  NonLocalVariant variant = NonLocalVariant::spacetime;
  bool bn_layer = true;
  AttentionImpl attention_impl = AttentionImpl::automatic;

  void declare(OptionBinder& b) {
    b.required("channels", channels, "input channels");
    b.option("mode", mode, "the pairwise function f");
    b.option("dims", dims, "spatial dims of the input: 1, 2 or 3");
    b.option("inter_channels", inter_channels, "width of theta, phi, g; 0 = channels / 2");
    b.option("sub_sample", sub_sample, "max-pool phi and g (2, or (1,2,2) in 3D)");
    b.option("scale_logits", scale_logits, "divide theta·phi by sqrt(inter) before the softmax");
    b.option("bn_init", bn_init, "initial scale of W_z's BatchNorm (0 = identity block)");
    b.option("variant", variant, "3D only: spacetime, space (per frame) or time (per position)");
    b.option("bn_layer", bn_layer, "W_z = conv + BatchNorm; false: a zero-initialised conv alone");
    b.option("attention_impl", attention_impl,
             "fused never stores the positions x positions map; auto fuses maps (concatenation: pair features) over 64 MiB");
  }
};

class NonLocal : public Module, public AttentionMapRecorder {
 public:
  explicit NonLocal(NonLocalOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "NonLocal"; }
  std::string extra_repr() const override;
  // AlexHex7/Non-local_pytorch's _NonLocalBlockND of the same mode (g, theta, phi, W,
  // concat_project; g.0 and phi.0 when sub-sampled); refused with scale_logits, which it lacks.
  OfficialNames official_names() const override;
  const NonLocalOptions& options() const { return options_; }

 private:
  Tensor block(const Tensor& x);  // the block on the rank it was built for
  std::string export_block(OnnxGraph& graph, const std::string& x) const;
  NonLocalOptions options_;
  int block_dims_;                // rank of the convs: dims, or 2 (space) / 1 (time)
  int64_t inter_;
  std::shared_ptr<Conv> g_, theta_, phi_, w_f_;
  std::shared_ptr<Pool> pool_;
  std::shared_ptr<Sequential> w_z_;
};

}  // namespace gaze
