#include "layers/attention/danet.h"

#include "autograd/ops.h"
#include "layers/batch_norm.h"
#include "layers/simple_layers.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

const ChoiceNames& choice_names(ChannelAttentionForm) {
  static const ChoiceNames names{
      "ChannelAttention", "form", "forms", {{"official", "softmax(rowmax(E) - E)"}, {"paper", "softmax(E)"}}};
  return names;
}

namespace {

void check_image(const char* layer, const Tensor& x, int64_t channels) {
  if (!x.defined() || x.dim() != 4 || x.shape()[1] != channels)
    fail("{}({}): expected input [N, {}, H, W], got {}", layer, channels, channels, x.defined() ? shape_str(x.shape()) : "undefined");
}

std::shared_ptr<Sequential> conv_bn_relu(int64_t in, int64_t out) {
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      make_conv(2, in, out, 3, 1, 1, /*bias=*/false), std::make_shared<BatchNorm>(BatchNormOptions{.channels = out}),
      std::make_shared<ReLU>()});
}

std::shared_ptr<Sequential> classifier(int64_t in, int64_t classes, double p) {
  return std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      std::make_shared<ChannelDropout>(p), make_conv(2, in, classes, 1)});
}

}  // namespace

PositionAttention::PositionAttention(PositionAttentionOptions o) : options_(o) {
  if (o.channels < 1 || o.reduction < 1) fail("PositionAttention: channels and reduction must be positive (got {} and {})", o.channels, o.reduction);
  int64_t qk = std::max<int64_t>(1, o.channels / o.reduction);
  query_ = register_module("query", make_conv(2, o.channels, qk, 1));
  key_ = register_module("key", make_conv(2, o.channels, qk, 1));
  value_ = register_module("value", make_conv(2, o.channels, o.channels, 1));
  gamma = register_parameter("gamma", full({1}, o.gamma_init));
}

Tensor PositionAttention::forward(const Tensor& x) {
  check_image("PositionAttention", x, options_.channels);
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  Tensor q = transpose(reshape(query_->forward(x), {n, -1, h * w}), 1, 2);  // [N, HW, C/8]
  Tensor k = reshape(key_->forward(x), {n, -1, h * w});                     // [N, C/8, HW]
  if (use_fused_attention(options_.attention_impl, n, h * w, h * w, 1, records_attention(), "PositionAttention")) {
    Tensor v = transpose(reshape(value_->forward(x), {n, c, h * w}), 1, 2);  // [N, HW, C]
    Tensor out = reshape(transpose(fused_attention(q, transpose(k, 1, 2), v), 1, 2), {n, c, h, w});
    return gamma * out + x;
  }
  Tensor attention = softmax(matmul(q, k), -1);                             // [N, HW, HW]
  remember(attention);
  Tensor v = reshape(value_->forward(x), {n, c, h * w});
  Tensor out = reshape(matmul(v, transpose(attention, 1, 2)), {n, c, h, w});
  return gamma * out + x;
}
// γ scales V·Aᵀ after the reshape back to [N, C, H, W]: OpenCV 4.6 mis-computes a Mul that
// directly follows a MatMul of two computed values.
std::string PositionAttention::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  const Shape& s = graph.shape(x);
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3], qk = query_->options().out_channels;
  std::string q = graph.transpose(graph.reshape(export_child(graph, *query_, x), {n, qk, h * w}), {0, 2, 1});
  std::string k = graph.reshape(export_child(graph, *key_, x), {n, qk, h * w});
  std::string attention = graph.softmax(graph.matmul(q, k), 2);
  std::string v = graph.reshape(export_child(graph, *value_, x), {n, c, h * w});
  std::string out = graph.reshape(graph.matmul(v, graph.transpose(attention, {0, 2, 1})), {n, c, h, w});
  return graph.add(graph.mul(out, graph.initializer("gamma", gamma)), x);
}


std::string PositionAttention::extra_repr() const { return fmt::format("{}, reduction={}", options_.channels, options_.reduction); }

OfficialNames PositionAttention::official_names() const {
  OfficialNames names("junfu1115/DANet encoding/nn/da_att.py PAM_Module");
  names.add_weight_bias("query_conv", "query");
  names.add_weight_bias("key_conv", "key");
  names.add_weight_bias("value_conv", "value");
  names.add("gamma", "gamma");
  return names;
}

ChannelAttention::ChannelAttention(ChannelAttentionOptions o) : options_(std::move(o)) {
  if (options_.channels < 1) fail("ChannelAttention: channels must be positive, got {}", options_.channels);
  gamma = register_parameter("gamma", full({1}, options_.gamma_init));
}

Tensor ChannelAttention::forward(const Tensor& x) {
  check_image("ChannelAttention", x, options_.channels);
  int64_t n = x.shape()[0], c = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  Tensor q = reshape(x, {n, c, h * w});
  Tensor energy = matmul(q, transpose(q, 1, 2));  // [N, C, C]
  if (options_.form == ChannelAttentionForm::official) energy = max(energy, {-1}, true) - energy;
  Tensor attention = softmax(energy, -1);
  remember(attention);
  Tensor out = reshape(matmul(attention, q), {n, c, h, w});
  return gamma * out + x;
}
// The official form softmax(rowmax(E) − E) is softmax(−E): rowmax is constant along the softmax's
// axis. −E is computed as (−X)·Xᵀ, negating before the MatMul (OpenCV 4.6 mis-computes a scale
// right after one).
std::string ChannelAttention::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  const Shape& s = graph.shape(x);
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  std::string q = graph.reshape(x, {n, c, h * w});
  std::string left = options_.form == ChannelAttentionForm::official ? graph.mul(q, graph.scalar(-1.0)) : q;
  std::string attention = graph.softmax(graph.matmul(left, graph.transpose(q, {0, 2, 1})), 2);
  std::string out = graph.reshape(graph.matmul(attention, q), {n, c, h, w});
  return graph.add(graph.mul(out, graph.initializer("gamma", gamma)), x);
}


std::string ChannelAttention::extra_repr() const { return fmt::format("{}, form={}", options_.channels, name_of(options_.form)); }

// The paper form is refused: the same gamma would load into another attention.
OfficialNames ChannelAttention::official_names() const {
  if (options_.form != ChannelAttentionForm::official)
    fail("ChannelAttention: the authors' CAM_Module computes softmax(rowmax(E) - E); official names need form: official (this layer has form: {})",
         name_of(options_.form));
  OfficialNames names("junfu1115/DANet encoding/nn/da_att.py CAM_Module");
  names.add("gamma", "gamma");
  return names;
}

DualAttentionHead::DualAttentionHead(DualAttentionHeadOptions o) : options_(std::move(o)) {
  if (options_.in_channels < 1 || options_.num_classes < 1)
    fail("DualAttentionHead: in_channels and num_classes must be positive (got {} and {})", options_.in_channels, options_.num_classes);
  if (!options_.position && !options_.channel) fail("DualAttentionHead: at least one of position and channel must be on");
  int64_t inter = options_.inter_channels > 0 ? options_.inter_channels : std::max<int64_t>(1, options_.in_channels / 4);
  if (options_.position) {
    pam_in_ = register_module("pam_in", conv_bn_relu(options_.in_channels, inter));
    pam = register_module("pam", std::make_shared<PositionAttention>(
                                  PositionAttentionOptions{.channels = inter, .attention_impl = options_.attention_impl}));
    pam_out_ = register_module("pam_out", conv_bn_relu(inter, inter));
    pam_classifier_ = register_module("pam_classifier", classifier(inter, options_.num_classes, options_.dropout));
  }
  if (options_.channel) {
    cam_in_ = register_module("cam_in", conv_bn_relu(options_.in_channels, inter));
    cam = register_module("cam", std::make_shared<ChannelAttention>(ChannelAttentionOptions{.channels = inter, .form = options_.cam_form}));
    cam_out_ = register_module("cam_out", conv_bn_relu(inter, inter));
    cam_classifier_ = register_module("cam_classifier", classifier(inter, options_.num_classes, options_.dropout));
  }
  classifier_ = register_module("classifier", classifier(inter, options_.num_classes, options_.dropout));
}

TensorDict DualAttentionHead::forward_all(const std::vector<Tensor>& inputs) {
  const Tensor& x = single_input(inputs);
  check_image("DualAttentionHead", x, options_.in_channels);
  Tensor fused, position_aux, channel_aux;
  if (pam) {
    Tensor feature = pam_out_->forward(pam->forward(pam_in_->forward(x)));
    position_aux = pam_classifier_->forward(feature);
    fused = feature;
  }
  if (cam) {
    Tensor feature = cam_out_->forward(cam->forward(cam_in_->forward(x)));
    channel_aux = cam_classifier_->forward(feature);
    fused = fused.defined() ? fused + feature : feature;
  }
  TensorDict out{{"out", classifier_->forward(fused)}};
  if (position_aux.defined()) out.set("position_aux", position_aux);
  if (channel_aux.defined()) out.set("channel_aux", channel_aux);
  return out;
}
// The main output only: the branches' auxiliary predictions are for training.
std::string DualAttentionHead::export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const {
  const std::string& x = single_input(inputs);
  std::string fused;
  if (pam) fused = export_child(graph, *pam_out_, export_child(graph, *pam, export_child(graph, *pam_in_, x)));
  if (cam) {
    std::string feature = export_child(graph, *cam_out_, export_child(graph, *cam, export_child(graph, *cam_in_, x)));
    fused = fused.empty() ? feature : graph.add(fused, feature);
  }
  return export_child(graph, *classifier_, fused);
}


std::string DualAttentionHead::extra_repr() const {
  return fmt::format("{} -> {} classes{}{}", options_.in_channels, options_.num_classes, options_.position ? ", PAM" : "",
                     options_.channel ? ", CAM" : "");
}

// DANetHead: conv5a/conv5c/conv51/conv52 = Sequential(conv without bias, norm_layer, ReLU), and
// conv6/conv7/conv8 = Sequential(Dropout2d, conv): the same layout as gaze's branches.
OfficialNames DualAttentionHead::official_names() const {
  if (!pam || !cam) fail("DualAttentionHead: the authors' DANetHead has both branches; official names need position: true and channel: true");
  OfficialNames names("junfu1115/DANet encoding/models/sseg/danet.py DANetHead");
  auto conv_bn = [&](const std::string& official, const std::string& gaze_name) {
    names.add(official + ".0.weight", gaze_name + ".0.weight");
    names.add_batch_norm(official + ".1", gaze_name + ".1");
  };
  conv_bn("conv5a", "pam_in");
  conv_bn("conv5c", "cam_in");
  names.add_submodule(pam->official_names(), "sa", "pam");
  names.add_submodule(cam->official_names(), "sc", "cam");
  conv_bn("conv51", "pam_out");
  conv_bn("conv52", "cam_out");
  names.add_weight_bias("conv6.1", "pam_classifier.1");
  names.add_weight_bias("conv7.1", "cam_classifier.1");
  names.add_weight_bias("conv8.1", "classifier.1");
  return names;
}

}  // namespace gaze
