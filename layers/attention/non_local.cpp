#include "layers/attention/non_local.h"

#include <cmath>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "layers/attention/gate_support.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(NonLocalMode) {
  static const ChoiceNames names{
      "NonLocal", "mode", "modes", {{"gaussian", ""}, {"embedded_gaussian", ""}, {"dot_product", ""}, {"concatenation", ""}}};
  return names;
}

const ChoiceNames& choice_names(NonLocalVariant) {
  static const ChoiceNames names{"NonLocal", "variant", "variants", {{"spacetime", ""}, {"space", ""}, {"time", ""}}};
  return names;
}

NonLocal::NonLocal(NonLocalOptions o) : options_(std::move(o)) {
  if (options_.dims < 1 || options_.dims > 3) fail("NonLocal: dims must be 1, 2 or 3, got {}", options_.dims);
  if (options_.channels < 1) fail("NonLocal: channels must be positive, got {}", options_.channels);
  if (options_.variant != NonLocalVariant::spacetime && options_.dims != 3)
    fail("NonLocal: the '{}' variant needs a 3D (video) input, but dims = {}", name_of(options_.variant), options_.dims);
  block_dims_ = options_.variant == NonLocalVariant::space  ? 2
                : options_.variant == NonLocalVariant::time ? 1
                                                            : options_.dims;
  inter_ = options_.inter_channels > 0 ? options_.inter_channels : std::max<int64_t>(1, options_.channels / 2);
  int64_t c = options_.channels;
  g_ = register_module("g", make_conv(block_dims_, c, inter_, 1));
  if (options_.mode != NonLocalMode::gaussian) {
    theta_ = register_module("theta", make_conv(block_dims_, c, inter_, 1));
    phi_ = register_module("phi", make_conv(block_dims_, c, inter_, 1));
  }
  if (options_.mode == NonLocalMode::concatenation) w_f_ = register_module("w_f", make_conv(2, 2 * inter_, 1, 1, 1, 0, /*bias=*/false));
  if (options_.sub_sample) {
    std::vector<int64_t> kernel = block_dims_ == 3 ? std::vector<int64_t>{1, 2, 2} : std::vector<int64_t>{2};
    pool_ = register_module("pool", std::make_shared<Pool>(Pool::Kind::max, PoolOptions{.kernel = kernel}));
  }
  if (!options_.bn_layer && options_.bn_init != 0.0)
    fail("NonLocal: bn_init = {} sets the scale of W_z's BatchNorm, but bn_layer is false (W_z is then a conv starting at 0)",
         options_.bn_init);
  if (options_.bn_layer) {
    w_z_ = register_module("w_z", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
                                      make_conv(block_dims_, inter_, c, 1),
                                      std::make_shared<BatchNorm>(BatchNormOptions{.channels = c, .weight_init = options_.bn_init})}));
  } else {  // the authors' bn_layer=False: nn.init.constant_(W.weight, 0), nn.init.constant_(W.bias, 0)
    auto w = make_conv(block_dims_, inter_, c, 1);
    NoGradGuard no_grad;
    w->weight.fill_(0.0);
    w->bias.fill_(0.0);
    w_z_ = register_module("w_z", std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{w}));
  }
}

Tensor NonLocal::block(const Tensor& x) {
  int64_t n = x.shape()[0];
  Shape spatial(x.shape().begin() + 2, x.shape().end());
  auto sub = [&](const Tensor& t) { return pool_ ? pool_->forward(t) : t; };
  Tensor g_x = transpose(flatten(sub(g_->forward(x)), 2), 1, 2);  // [N, Nk, C']
  Tensor theta_x, phi_x;                                           // [N, C', Nq], [N, C', Nk]
  if (options_.mode == NonLocalMode::gaussian) {
    theta_x = flatten(x, 2);
    phi_x = flatten(sub(x), 2);
  } else {
    theta_x = flatten(theta_->forward(x), 2);
    phi_x = flatten(sub(phi_->forward(x)), 2);
  }
  int64_t keys = phi_x.shape()[2], queries = theta_x.shape()[2];
  Shape y_shape{n, inter_};
  y_shape.insert(y_shape.end(), spatial.begin(), spatial.end());
  bool gaussian = options_.mode == NonLocalMode::embedded_gaussian || options_.mode == NonLocalMode::gaussian;
  bool concatenation = options_.mode == NonLocalMode::concatenation;
  if (concatenation && options_.attention_impl == AttentionImpl::fused && !relu_pair_attention_available(x))
    fail("NonLocal: attention_impl fused for mode concatenation needs the relu_pair kernels, which the backend of "
         "this {} input on {} lacks (the CPU backends have them); use attention_impl: auto (which then keeps the map) "
         "or materialized",
         dtype_name(x.dtype()), x.device().str());
  bool fusable = !concatenation || relu_pair_attention_available(x);
  // What the materialized path forms per (query, key) pair: concatenation's [θ_i; φ_j] features, the others' map value.
  const int64_t values_per_pair = concatenation ? 2 * inter_ : 1;
  if (fusable && use_fused_attention(options_.attention_impl, n, queries, keys, values_per_pair, records_attention(), "NonLocal")) {
    Tensor y;  // [N, C', Nq]
    if (gaussian) {
      double scale = options_.scale_logits ? 1.0 / std::sqrt(static_cast<double>(theta_x.shape()[1])) : 1.0;
      y = transpose(fused_attention(transpose(theta_x, 1, 2), transpose(phi_x, 1, 2), g_x, scale), 1, 2);
    } else if (concatenation) {  // w_fᵀ[θ_i; φ_j] = a_i + b_j with w_f split in its θ and φ halves
      Tensor halves = reshape(w_f_->weight, {2, inter_});
      Tensor a = matmul(select(halves, 0, 0), theta_x), b = matmul(select(halves, 0, 1), phi_x);  // [N, Nq], [N, Nk]
      y = transpose(relu_pair_attention(a, b, g_x, 1.0 / static_cast<double>(keys)), 1, 2);
    } else {  // dot product: θᵀ(φ g) / N, exact, O(N·C'²)
      y = matmul(transpose(matmul(phi_x, g_x), 1, 2), theta_x) / static_cast<double>(keys);
    }
    return w_z_->forward(reshape(y, y_shape)) + x;
  }
  Tensor f;  // [N, Nq, Nk]
  if (gaussian) {
    Tensor logits = matmul(transpose(theta_x, 1, 2), phi_x);
    if (options_.scale_logits) logits = logits / std::sqrt(static_cast<double>(theta_x.shape()[1]));
    f = softmax(logits, -1);
  } else if (options_.mode == NonLocalMode::dot_product) {
    f = matmul(transpose(theta_x, 1, 2), phi_x) / static_cast<double>(keys);
  } else {  // concatenation: every (query, key) pair through w_f
    Tensor pairs = cat({expand(unsqueeze(theta_x, 3), {n, inter_, queries, keys}),
                        expand(unsqueeze(phi_x, 2), {n, inter_, queries, keys})}, 1);
    f = squeeze(relu(w_f_->forward(pairs)), 1) / static_cast<double>(keys);
  }
  remember(f);
  Tensor y = matmul(f, g_x);  // [N, Nq, C']
  y = reshape(transpose(y, 1, 2), y_shape);
  return w_z_->forward(y) + x;
}

Tensor NonLocal::forward(const Tensor& x) {
  if (!x.defined() || x.dim() != options_.dims + 2 || x.shape()[1] != options_.channels)
    fail("NonLocal({}, dims={}): expected input [N, {}, {} spatial dims], got {}", options_.channels, options_.dims,
         options_.channels, options_.dims, x.defined() ? shape_str(x.shape()) : "undefined");
  if (options_.variant == NonLocalVariant::spacetime) return block(x);
  int64_t n = x.shape()[0], c = x.shape()[1], t = x.shape()[2], h = x.shape()[3], w = x.shape()[4];
  if (options_.variant == NonLocalVariant::space) {  // each frame on its own: [N·T, C, H, W]
    Tensor frames = reshape(permute(x, {0, 2, 1, 3, 4}), {n * t, c, h, w});
    return permute(reshape(block(frames), {n, t, c, h, w}), {0, 2, 1, 3, 4});
  }
  // time: each position's sequence on its own: [N·H·W, C, T]
  Tensor series = reshape(permute(x, {0, 3, 4, 1, 2}), {n * h * w, c, t});
  return permute(reshape(block(series), {n, h, w, c, t}), {0, 3, 4, 1, 2});
}

// The block as ONNX ops. Scales (1/N, 1/√C') multiply θ before its MatMul, not the product after
// it: the same value, and OpenCV 4.6 mis-computes a scale right after a MatMul of two computed
// values. Concatenation's ReLU(w_fᵀ[θ_i; φ_j]) is ReLU(a_i + b_j) with a = w_θᵀθ, b = w_φᵀφ (w_f
// split in its halves); a and b are spread to [N, Nq, Nk] by MatMuls with rows of ones, as
// OpenCV 4.6 has no Expand of that kind and cannot broadcast both operands of one Add.
std::string NonLocal::export_block(OnnxGraph& graph, const std::string& x) const {
  const Shape& s = graph.shape(x);
  const int64_t n = s[0], c = s[1];
  const int64_t positions = numel(s) / (n * c);
  auto sub = [&](const std::string& t) { return pool_ ? export_child(graph, *pool_, t) : t; };
  auto flat = [&](const std::string& t) {  // [N, C', *spatial] -> [N, C', positions]
    const Shape& ts = graph.shape(t);
    return graph.reshape(t, {ts[0], ts[1], numel(ts) / (ts[0] * ts[1])});
  };
  std::string g_x = graph.transpose(flat(sub(export_child(graph, *g_, x))), {0, 2, 1});  // [N, Nk, C']
  std::string theta_x, phi_x;                                                              // [N, C', Nq], [N, C', Nk]
  if (options_.mode == NonLocalMode::gaussian) {
    theta_x = flat(x);
    phi_x = flat(sub(x));
  } else {
    theta_x = flat(export_child(graph, *theta_, x));
    phi_x = flat(sub(export_child(graph, *phi_, x)));
  }
  const int64_t width = graph.shape(theta_x)[1], keys = graph.shape(phi_x)[2];
  std::string theta_t = graph.transpose(theta_x, {0, 2, 1});  // [N, Nq, C']
  std::string f;                                              // [N, Nq, Nk]
  if (options_.mode == NonLocalMode::embedded_gaussian || options_.mode == NonLocalMode::gaussian) {
    if (options_.scale_logits) theta_t = graph.mul(theta_t, graph.scalar(1.0 / std::sqrt(static_cast<double>(width))));
    f = graph.softmax(graph.matmul(theta_t, phi_x), 2);
  } else if (options_.mode == NonLocalMode::dot_product) {
    f = graph.matmul(graph.mul(theta_t, graph.scalar(1.0 / static_cast<double>(keys))), phi_x);
  } else {
    // ReLU(x)/N = ReLU(x/N): the halves of w_f are divided by N.
    Tensor halves = reshape(w_f_->weight, {2, inter_, 1}) / static_cast<double>(keys);
    std::string w_theta = graph.initializer("w_f.weight_theta", contiguous(select(halves, 0, 0)));
    std::string w_phi = graph.initializer("w_f.weight_phi", contiguous(select(halves, 0, 1)));
    const int64_t queries = positions;
    std::string a = graph.matmul(graph.matmul(theta_t, w_theta), graph.constant(ones({1, keys})));  // [N, Nq, Nk]
    std::string b = graph.matmul(graph.matmul(graph.transpose(phi_x, {0, 2, 1}), w_phi), graph.constant(ones({1, queries})));
    f = graph.relu(graph.add(a, graph.transpose(b, {0, 2, 1})));
  }
  std::string y = graph.matmul(f, g_x);  // [N, Nq, C']
  Shape y_shape{n, inter_};
  y_shape.insert(y_shape.end(), s.begin() + 2, s.end());
  y = graph.reshape(graph.transpose(y, {0, 2, 1}), y_shape);
  return graph.add(export_child(graph, *w_z_, y), x);
}

std::string NonLocal::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  if (options_.variant == NonLocalVariant::spacetime) return export_block(graph, x);
  const Shape& s = graph.shape(x);
  const int64_t n = s[0], c = s[1], t = s[2], h = s[3], w = s[4];
  if (options_.variant == NonLocalVariant::space) {
    std::string frames = graph.reshape(graph.transpose(x, {0, 2, 1, 3, 4}), {n * t, c, h, w});
    return graph.transpose(graph.reshape(export_block(graph, frames), {n, t, c, h, w}), {0, 2, 1, 3, 4});
  }
  std::string series = graph.reshape(graph.transpose(x, {0, 3, 4, 1, 2}), {n * h * w, c, t});
  return graph.transpose(graph.reshape(export_block(graph, series), {n, h, w, c, t}), {0, 3, 4, 1, 2});
}

std::string NonLocal::extra_repr() const {
  return fmt::format("{}, mode={}, dims={}, inter={}{}{}{}{}{}", options_.channels, name_of(options_.mode), options_.dims, inter_,
                     options_.sub_sample ? ", sub_sample" : "", options_.scale_logits ? ", scale_logits" : "",
                     options_.variant != NonLocalVariant::spacetime ? ", variant=" + name_of(options_.variant) : "", options_.bn_layer ? "" : ", bn_layer=false",
                     options_.attention_impl != AttentionImpl::automatic ? ", attention_impl=" + name_of(options_.attention_impl) : "");
}

// The authors' _NonLocalBlockND (one file per mode, the same names): with sub_sample, g and phi are
// nn.Sequential(conv, max_pool), so their convs are g.0 and phi.0 (gaussian mode: phi is the pool
// alone, with nothing to load); W is Sequential(conv, BN) with bn_layer, the conv alone without;
// concatenation's w_f is concat_project.0 (Sequential(conv, ReLU)). The space and time variants
// run the same block on frames or time series, so a 2D or 1D block's weights load into them.
OfficialNames NonLocal::official_names() const {
  if (options_.scale_logits)
    fail("NonLocal: the authors' block (AlexHex7/Non-local_pytorch) has no scale_logits; official names need scale_logits: false");
  OfficialNames names(fmt::format("AlexHex7/Non-local_pytorch lib/non_local_{}.py _NonLocalBlockND", name_of(options_.mode)));
  std::string pooled = options_.sub_sample ? ".0" : "";
  names.add_weight_bias("g" + pooled, "g");
  if (options_.mode != NonLocalMode::gaussian) {
    names.add_weight_bias("theta", "theta");
    names.add_weight_bias("phi" + pooled, "phi");
  }
  if (options_.bn_layer) {
    names.add_weight_bias("W.0", "w_z.0");
    names.add_batch_norm("W.1", "w_z.1");
  } else {
    names.add_weight_bias("W", "w_z.0");
  }
  if (options_.mode == NonLocalMode::concatenation) names.add("concat_project.0.weight", "w_f.weight");
  return names;
}

}  // namespace gaze
