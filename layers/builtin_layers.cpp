// The layers gaze ships, under their YAML names. A new layer adds one register_layer call here
// (docs/adding-a-layer.md).
#include "layers/attention/bam.h"
#include "layers/attention/cbam.h"
#include "layers/attention/coordinate_attention.h"
#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/attention/danet.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/registry.h"
#include "layers/simple_layers.h"

namespace gaze {

void register_builtin_layers() {
  using T = OptionType;
  register_layer({"se", "Squeeze-and-Excitation (Hu et al. 2018)",
                  {{"channels", T::integer, "", "input channels"},
                   {"reduction", T::integer, "16", "hidden width = channels / reduction"},
                   {"bias", T::boolean, "true", "biases in both FC layers (false: moskomule/senet.pytorch's SELayer)"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<SqueezeExcitation>(
                        SqueezeExcitationOptions{a.integer("channels"), a.integer("reduction"), a.boolean("bias")});
                  }});
  register_layer({"cbam", "CBAM: channel then spatial gate (Woo et al. 2018)",
                  {{"channels", T::integer, "", "input channels"},
                   {"reduction", T::integer, "16", "channel-gate MLP reduction"},
                   {"spatial_kernel", T::integer, "7", "spatial-gate conv kernel (odd)"},
                   {"dims", T::integer, "2", "spatial dims of the input"},
                   {"channel_gate", T::boolean, "true", "use the channel gate"},
                   {"spatial_gate", T::boolean, "true", "use the spatial gate"},
                   {"pool_types", T::texts, "[avg, max]", "channel-gate descriptors, summed after the MLP: avg, max, lp, lse"},
                   {"spatial_bn", T::boolean, "false", "BatchNorm (momentum 0.01) after the spatial conv (true: the authors' code)"},
                   {"spatial_pool_order", T::text, "mean_max", "spatial conv input: mean_max (the paper) or max_mean (the authors' code)"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<CBAM>(CBAMOptions{a.integer("channels"), a.integer("reduction"), a.integer("spatial_kernel"),
                                                              static_cast<int>(a.integer("dims")), a.boolean("channel_gate"),
                                                              a.boolean("spatial_gate"), a.texts("pool_types"), a.boolean("spatial_bn"),
                                                              a.text("spatial_pool_order")});
                  }});
  register_layer({"bam", "BAM: bottleneck attention module (Park et al. 2018)",
                  {{"channels", T::integer, "", "input channels"},
                   {"reduction", T::integer, "16", "hidden width = channels / reduction"},
                   {"dilation", T::integer, "4", "dilation of the spatial branch's 3x3 convs"},
                   {"combine", T::text, "product", "product (sigmoid(Mc*Ms), the authors' code) or sum (sigmoid(Mc+Ms), the paper)"},
                   {"num_layers", T::integer, "1", "hidden FC-BN-ReLU blocks of the channel branch"},
                   {"dilation_conv_num", T::integer, "2", "dilated conv-BN-ReLU blocks of the spatial branch"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<BAM>(BAMOptions{a.integer("channels"), a.integer("reduction"), a.integer("dilation"), a.text("combine"),
                                                            a.integer("num_layers"), a.integer("dilation_conv_num")});
                  }});
  register_layer({"coord_attention", "Coordinate attention (Hou et al. 2021)",
                  {{"channels", T::integer, "", "input channels"},
                   {"reduction", T::integer, "32", "hidden width mip = max(8, channels / reduction)"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<CoordinateAttention>(CoordinateAttentionOptions{a.integer("channels"), a.integer("reduction")});
                  }});
  register_layer({"pyramid_attention", "Interaction-aware spatial pyramid attention (Du et al. 2018)",
                  {{"in_channels", T::integers, "", "channels of each input map, in order"},
                   {"channels", T::integer, "", "common width of the pyramid"},
                   {"fusion", T::text, "mean", "mean ([N, C]) or concat ([N, K*C]) across scales"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<InteractionAwarePyramidAttention>(
                        InteractionAwarePyramidAttentionOptions{a.integers("in_channels"), a.integer("channels"), a.text("fusion")});
                  }});
  register_layer({"nonlocal", "Non-local block (Wang et al. 2018)",
                  {{"channels", T::integer, "", "input channels"},
                   {"mode", T::text, "embedded_gaussian", "gaussian, embedded_gaussian, dot_product or concatenation"},
                   {"dims", T::integer, "2", "spatial dims of the input: 1, 2 or 3"},
                   {"inter_channels", T::integer, "0", "width of theta, phi, g; 0 = channels / 2"},
                   {"sub_sample", T::boolean, "false", "max-pool phi and g (2, or (1,2,2) in 3D)"},
                   {"scale_logits", T::boolean, "false", "divide theta·phi by sqrt(inter) before the softmax"},
                   {"bn_init", T::number, "0", "initial scale of W_z's BatchNorm (0 = identity block)"},
                   {"variant", T::text, "spacetime", "3D only: spacetime, space (per frame) or time (per position)"},
                   {"bn_layer", T::boolean, "true", "W_z = conv + BatchNorm; false: a zero-initialised conv alone"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<NonLocal>(NonLocalOptions{a.integer("channels"), a.text("mode"), static_cast<int>(a.integer("dims")),
                                                                      a.integer("inter_channels"), a.boolean("sub_sample"),
                                                                      a.boolean("scale_logits"), a.number("bn_init"), a.text("variant"),
                                                                      a.boolean("bn_layer")});
                  }});
  register_layer({"position_attention", "DANet position attention module (Fu et al. 2019)",
                  {{"channels", T::integer, "", "input channels"},
                   {"reduction", T::integer, "8", "query/key width = channels / reduction"},
                   {"gamma_init", T::number, "0", "initial residual scale"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<PositionAttention>(
                        PositionAttentionOptions{a.integer("channels"), a.integer("reduction"), a.number("gamma_init")});
                  }});
  register_layer({"channel_attention", "DANet channel attention module (Fu et al. 2019)",
                  {{"channels", T::integer, "", "input channels"},
                   {"form", T::text, "official", "official (softmax(rowmax(E) - E)) or paper (softmax(E))"},
                   {"gamma_init", T::number, "0", "initial residual scale"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<ChannelAttention>(ChannelAttentionOptions{a.integer("channels"), a.text("form"), a.number("gamma_init")});
                  }});
  register_layer({"danet_head", "DANet dual attention head with auxiliary outputs (Fu et al. 2019)",
                  {{"in_channels", T::integer, "", "backbone channels"},
                   {"num_classes", T::integer, "", "classes to predict"},
                   {"inter_channels", T::integer, "0", "branch width; 0 = in_channels / 4"},
                   {"dropout", T::number, "0.1", "channel dropout before each classifier"},
                   {"cam_form", T::text, "official", "channel attention form"},
                   {"position", T::boolean, "true", "use the position branch"},
                   {"channel", T::boolean, "true", "use the channel branch"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<DualAttentionHead>(DualAttentionHeadOptions{a.integer("in_channels"), a.integer("num_classes"),
                                                                                        a.integer("inter_channels"), a.number("dropout"),
                                                                                        a.text("cam_form"), a.boolean("position"),
                                                                                        a.boolean("channel")});
                  }});
  register_layer({"conv", "Convolution (1 to 3 spatial dims)",
                  {{"in_channels", T::integer, "", "input channels"},
                   {"out_channels", T::integer, "", "output channels"},
                   {"kernel", T::integers, "3", "kernel size"},
                   {"stride", T::integers, "1", "stride"},
                   {"padding", T::integers, "0", "zero padding"},
                   {"dilation", T::integers, "1", "dilation"},
                   {"groups", T::integer, "1", "groups"},
                   {"bias", T::boolean, "true", "learn a bias"},
                   {"dims", T::integer, "2", "spatial dims"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<Conv>(ConvLayerOptions{a.integer("in_channels"), a.integer("out_channels"), a.integers("kernel"),
                                                                   a.integers("stride"), a.integers("padding"), a.integers("dilation"),
                                                                   a.integer("groups"), a.boolean("bias"), static_cast<int>(a.integer("dims"))});
                  }});
  register_layer({"batch_norm", "Batch normalization",
                  {{"channels", T::integer, "", "channels"}, {"eps", T::number, "1e-5", "epsilon"}, {"momentum", T::number, "0.1", "running-stat momentum"}},
                  [](const LayerArgs& a) {
                    return std::make_shared<BatchNorm>(BatchNormOptions{.channels = a.integer("channels"), .eps = a.number("eps"), .momentum = a.number("momentum")});
                  }});
  register_layer({"linear", "Fully connected layer",
                  {{"in_features", T::integer, "", "input features"}, {"out_features", T::integer, "", "output features"}, {"bias", T::boolean, "true", "learn a bias"}},
                  [](const LayerArgs& a) { return std::make_shared<Linear>(a.integer("in_features"), a.integer("out_features"), a.boolean("bias")); }});
  register_layer({"relu", "ReLU", {}, [](const LayerArgs&) { return std::make_shared<ReLU>(); }});
  register_layer({"identity", "Identity (no attention)", {}, [](const LayerArgs&) { return std::make_shared<Identity>(); }});
  register_layer({"dropout", "Dropout", {{"p", T::number, "0.5", "drop probability"}},
                  [](const LayerArgs& a) { return std::make_shared<Dropout>(a.number("p")); }});
}

}  // namespace gaze
