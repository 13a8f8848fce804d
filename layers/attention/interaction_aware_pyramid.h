// Interaction-aware spatial pyramid attention (Du, Yuan, Li, Zhao, Li, Hu, ECCV 2018, "Interaction-aware
// spatio-temporal pyramid attention networks for action classification").
//
// Input: K feature maps (e.g. of several layers of a backbone), map k of shape [N, C_k, H_k, W_k].
//   Pyramid    map k goes through its own 1x1 conv C_k → C (with bias) and is resampled
//              (bilinear, align_corners = false) to the first map's H × W; the K results form
//              X [N, K, C, P], P = H·W, with x_{k,p} ∈ R^C the local feature of scale k at p.
//   Scores     s_{k,p} = wᵀ x_{k,p} + b, one w ∈ R^C and b ∈ R shared by every scale.
//   Attention  a_{k,·} = softmax_p(s_{k,·}), one distribution over positions per scale.
//   Features   f_k = Σ_p a_{k,p} x_{k,p} ∈ R^C.
//   Output     fusion = "mean" (default): (1/K) Σ_k f_k  [N, C];
//              fusion = "concat": [f_1, ..., f_K]        [N, K·C].
//
// Why the scores are a PCA: with m_k = (1/P) Σ_p x_{k,p} and u = w / ||w||, the score is
// s_{k,p} = ||w|| · uᵀ(x_{k,p} − m_k) + (b + wᵀm_k). The second term is the same at every
// position: b plays the part of PCA's mean-centring, and the softmax over positions cancels it,
// so b gets no gradient through the attention (it is kept so the score has the paper's affine
// form). What the softmax sees is the projection of each centred local feature onto the
// direction u, scaled by ||w||. The interaction-aware loss makes u the first principal direction
// of the local features, so the attention picks the positions that lie furthest along the main
// axis of variation of all the scales' features together (the scales "interact" through the
// shared w).
//
// Losses, computed from the last forward (its pyramid X and attention a, which keep
// their graph: call the losses after the forward and before backward, and add them, weighted,
// to the task loss):
//   interaction_loss() = (1 / (N·K·P·C)) Σ_{n,k,p} ||x_{k,p} − x̂_{k,p}||²,
//       x̂_{k,p} = m_k + u uᵀ(x_{k,p} − m_k): the mean squared error of reconstructing each
//       local feature from its rank-one PCA with direction u (per sample and scale, centred on
//       m_k), divided by C so it does not grow with the width. Minimising it over w maximises
//       the variance along u, i.e. makes u the first principal component. It depends on w (and,
//       through X, on the 1x1 convs), not on b.
//   diversity_loss() = (1/N) Σ_n (2 / (K(K−1))) Σ_{k<l} Σ_p a_{k,p} a_{l,p}: the mean overlap of
//       the attention distributions of two different scales; minimising it spreads the scales
//       over different positions. Needs K ≥ 2.
// The paper's exact loss could not be checked here; the interaction-aware loss above is the
// PCA reconstruction form that its description (scores from a linear map with a bias acting as
// the mean-centring, a PCA-inspired loss) leads to, and the diversity term is its cross-scale
// regulariser written as the overlap of the attention maps.
//
// The recorded attention map is a reshaped to [N, K, H, W].
#pragma once
#include <string>
#include <vector>

#include "layers/attention/attention_map.h"
#include "layers/conv.h"
#include "layers/option_binder.h"

namespace gaze {

// How the scales' features f_k become the output: mean [N, C] or concat [N, K·C].
enum class PyramidFusion { mean, concat };
const ChoiceNames& choice_names(PyramidFusion);

struct InteractionAwarePyramidAttentionOptions {
  std::vector<int64_t> in_channels;  // the first map sets H × W
  int64_t channels = 0;
  PyramidFusion fusion = PyramidFusion::mean;

  void declare(OptionBinder& b) {
    b.required("in_channels", in_channels, "channels of each input map, in order");
    b.required("channels", channels, "common width of the pyramid");
    b.option("fusion", fusion, "mean ([N, C]) or concat ([N, K*C]) across scales");
  }
};

class InteractionAwarePyramidAttention : public Module, public AttentionMapRecorder {
 public:
  explicit InteractionAwarePyramidAttention(InteractionAwarePyramidAttentionOptions options);
  // One map (K = 1): in_channels must have one entry.
  Tensor forward(const Tensor& x) override;  // a one-level pyramid
  // One map per level, in the order of in_channels, to "out": the fused features.
  TensorDict forward_all(const std::vector<Tensor>& maps) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  // Scalars, from the last forward (see above).
  Tensor interaction_loss() const;
  Tensor diversity_loss() const;
  std::string type_name() const override { return "InteractionAwarePyramidAttention"; }
  std::string extra_repr() const override;
  const InteractionAwarePyramidAttentionOptions& options() const { return options_; }
  Tensor score_weight, score_bias;  // w [C], b [1]

 private:
  void check_maps(const std::vector<Tensor>& maps) const;
  void check_forward_done(const char* loss) const;

  InteractionAwarePyramidAttentionOptions options_;
  std::vector<std::shared_ptr<Conv>> project_;  // project0 ... project{K-1}
  Tensor pyramid_;    // X [N, K, C, P] of the last forward
  Tensor attention_;  // a [N, K, P]
};

}  // namespace gaze
