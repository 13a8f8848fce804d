#include "layers/attention/interaction_aware_pyramid.h"

#include "autograd/ops.h"
#include "layers/init.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(PyramidFusion) {
  static const ChoiceNames names{"InteractionAwarePyramidAttention", "fusion", "choices", {{"mean", "[N, C]"}, {"concat", "[N, K*C]"}}};
  return names;
}

InteractionAwarePyramidAttention::InteractionAwarePyramidAttention(InteractionAwarePyramidAttentionOptions o)
    : options_(std::move(o)) {
  if (options_.in_channels.empty())
    fail("InteractionAwarePyramidAttention: in_channels is empty; give the channels of each input map, e.g. {{256, 512}}");
  if (options_.channels < 1) fail("InteractionAwarePyramidAttention: channels must be positive, got {}", options_.channels);
  for (size_t k = 0; k < options_.in_channels.size(); ++k) {
    if (options_.in_channels[k] < 1)
      fail("InteractionAwarePyramidAttention: in_channels[{}] must be positive, got {}", k, options_.in_channels[k]);
    project_.push_back(register_module(fmt::format("project{}", k), make_conv(2, options_.in_channels[k], options_.channels, 1)));
  }
  score_weight = register_parameter("score_weight", init::default_uniform({options_.channels}, options_.channels));
  score_bias = register_parameter("score_bias", init::default_uniform({1}, options_.channels));
}

void InteractionAwarePyramidAttention::check_maps(const std::vector<Tensor>& maps) const {
  const auto& in = options_.in_channels;
  if (maps.size() != in.size())
    fail("InteractionAwarePyramidAttention: expected {} feature maps [N, C_k, H_k, W_k] with C_k = [{}], got {}", in.size(),
         fmt::join(in, ", "), maps.size());
  for (size_t k = 0; k < maps.size(); ++k) {
    const Tensor& m = maps[k];
    bool ok = m.defined() && m.dim() == 4 && m.shape()[1] == in[k] && (k == 0 || m.shape()[0] == maps[0].shape()[0]);
    if (!ok)
      fail("InteractionAwarePyramidAttention: feature map {} should be [N, {}, H, W]{}, got {}", k, in[k],
           k == 0 ? "" : fmt::format(" with N = {} as map 0", maps[0].shape()[0]),
           m.defined() ? shape_str(m.shape()) : "an undefined tensor");
  }
}

Tensor InteractionAwarePyramidAttention::forward(const Tensor& x) {
  if (options_.in_channels.size() != 1)
    fail("InteractionAwarePyramidAttention: forward(x) takes one map but this layer has {} inputs; call forward_all(maps)",
         options_.in_channels.size());
  return forward_all({x}).at("out");
}

TensorDict InteractionAwarePyramidAttention::forward_all(const std::vector<Tensor>& maps) {
  check_maps(maps);
  int64_t n = maps[0].shape()[0], h = maps[0].shape()[2], w = maps[0].shape()[3], c = options_.channels;
  int64_t k_count = static_cast<int64_t>(maps.size());
  std::vector<Tensor> levels;
  for (size_t k = 0; k < maps.size(); ++k) {
    Tensor level = project_[k]->forward(maps[k]);
    if (level.shape()[2] != h || level.shape()[3] != w) level = interpolate(level, {h, w}, "bilinear", /*align_corners=*/false);
    levels.push_back(reshape(level, {n, c, h * w}));
  }
  Tensor pyramid = stack(levels, 1);                         // X [N, K, C, P]
  Tensor scores = matmul(score_weight, pyramid) + score_bias;  // s [N, K, P]
  Tensor attention = softmax(scores, -1);
  remember(reshape(attention, {n, k_count, h, w}));
  Tensor features = squeeze(matmul(pyramid, unsqueeze(attention, -1)), -1);  // f [N, K, C]
  pyramid_ = pyramid;
  attention_ = attention;
  return {{"out", options_.fusion == PyramidFusion::mean ? mean(features, {1}) : reshape(features, {n, k_count * c})}};
}
// The scores wᵀx + b as X's positions times w ([N, K, P, C] · [C, 1]: OpenCV 4.6 needs a
// MatMul's constant on the right). b is left out: it is the same at every position, so the
// softmax over positions cancels it exactly.
std::string InteractionAwarePyramidAttention::export_onnx(OnnxGraph& graph, const std::vector<std::string>& maps) const {
  if (maps.size() != options_.in_channels.size())
    fail("ONNX export: {} (InteractionAwarePyramidAttention) takes {} maps, got {}", graph.path(), options_.in_channels.size(), maps.size());
  const Shape& s = graph.shape(maps[0]);
  const int64_t n = s[0], h = s[2], w = s[3], c = options_.channels, k_count = static_cast<int64_t>(maps.size());
  std::vector<std::string> levels;
  for (size_t k = 0; k < maps.size(); ++k) {
    std::string level = export_child(graph, *project_[k], maps[k]);
    if (graph.shape(level)[2] != h || graph.shape(level)[3] != w) level = graph.resize(level, {h, w}, "bilinear", false);
    levels.push_back(graph.reshape(level, {n, 1, c, h * w}));
  }
  std::string pyramid = graph.concat(levels, 1);  // X [N, K, C, P]
  std::string w_column = graph.initializer("score_weight", reshape(score_weight, {c, 1}));
  std::string scores = graph.reshape(graph.matmul(graph.transpose(pyramid, {0, 1, 3, 2}), w_column), {n, k_count, h * w});
  std::string attention = graph.reshape(graph.softmax(scores, 2), {n, k_count, h * w, 1});
  std::string features = graph.reshape(graph.matmul(pyramid, attention), {n, k_count, c});  // f [N, K, C]
  return options_.fusion == PyramidFusion::mean ? graph.reduce("ReduceMean", features, {1}, false) : graph.reshape(features, {n, k_count * c});
}


void InteractionAwarePyramidAttention::check_forward_done(const char* loss) const {
  if (!pyramid_.defined()) fail("InteractionAwarePyramidAttention::{}: no forward yet; call forward_all(maps) first", loss);
}

Tensor InteractionAwarePyramidAttention::interaction_loss() const {
  check_forward_done("interaction_loss");
  Tensor centred = pyramid_ - mean(pyramid_, {3}, true);                 // x − m_k   [N, K, C, P]
  Tensor u = score_weight / sqrt(sum(square(score_weight)));            // w / ||w||  [C]
  Tensor projection = unsqueeze(matmul(u, centred), 2);                  // uᵀ(x − m)  [N, K, 1, P]
  Tensor residual = centred - unsqueeze(u, 1) * projection;              // x − x̂      [N, K, C, P]
  return mean(square(residual));
}

Tensor InteractionAwarePyramidAttention::diversity_loss() const {
  check_forward_done("diversity_loss");
  int64_t k_count = attention_.shape()[1];
  if (k_count < 2)
    fail("InteractionAwarePyramidAttention::diversity_loss: needs at least 2 scales (the overlap of pairs of attention maps), "
         "this layer has {}", k_count);
  // Σ_{k≠l} a_k·a_l = Σ_p (Σ_k a_{k,p})² − Σ_k Σ_p a_{k,p}², per sample.
  Tensor all_pairs = sum(square(sum(attention_, {1})), {1}) - sum(square(attention_), {1, 2});  // [N]
  return mean(all_pairs) / static_cast<double>(k_count * (k_count - 1));
}

std::string InteractionAwarePyramidAttention::extra_repr() const {
  return fmt::format("[{}] -> {}, fusion={}", fmt::join(options_.in_channels, ", "), options_.channels, name_of(options_.fusion));
}

}  // namespace gaze
