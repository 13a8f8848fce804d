// The layers gaze ships, under their YAML names: one line each. Each layer's options are declared
// by its options struct (declare()); a new layer adds its line here (docs/adding-a-layer.md). The
// list is called, not self-registered from each layer's file: a static library drops an object
// file nothing refers to, and with it any registration it would run.
#include "layers/attention/bam.h"
#include "layers/attention/cbam.h"
#include "layers/attention/coordinate_attention.h"
#include "layers/attention/danet.h"
#include "layers/attention/interaction_aware_pyramid.h"
#include "layers/attention/non_local.h"
#include "layers/attention/squeeze_excitation.h"
#include "layers/batch_norm.h"
#include "layers/conv.h"
#include "layers/linear.h"
#include "layers/registry.h"
#include "layers/simple_layers.h"

namespace gaze {

void register_builtin_layers() {
  register_layer(layer_entry_of<SqueezeExcitation, SqueezeExcitationOptions>("se", "Squeeze-and-Excitation (Hu et al. 2018)"));
  register_layer(layer_entry_of<CBAM, CBAMOptions>("cbam", "CBAM: channel then spatial gate (Woo et al. 2018)"));
  register_layer(layer_entry_of<BAM, BAMOptions>("bam", "BAM: bottleneck attention module (Park et al. 2018)"));
  register_layer(layer_entry_of<CoordinateAttention, CoordinateAttentionOptions>("coord_attention", "Coordinate attention (Hou et al. 2021)"));
  register_layer(layer_entry_of<InteractionAwarePyramidAttention, InteractionAwarePyramidAttentionOptions>(
      "pyramid_attention", "Interaction-aware spatial pyramid attention (Du et al. 2018)"));
  register_layer(layer_entry_of<NonLocal, NonLocalOptions>("nonlocal", "Non-local block (Wang et al. 2018)"));
  register_layer(layer_entry_of<PositionAttention, PositionAttentionOptions>("position_attention", "DANet position attention module (Fu et al. 2019)"));
  register_layer(layer_entry_of<ChannelAttention, ChannelAttentionOptions>("channel_attention", "DANet channel attention module (Fu et al. 2019)"));
  register_layer(layer_entry_of<DualAttentionHead, DualAttentionHeadOptions>(
      "danet_head", "DANet dual attention head with auxiliary outputs (Fu et al. 2019)"));
  register_layer(layer_entry_of<Conv, ConvLayerOptions>("conv", "Convolution (1 to 3 spatial dims)"));
  register_layer(layer_entry_of<BatchNorm, BatchNormOptions>("batch_norm", "Batch normalization"));
  register_layer(layer_entry_of<Linear, LinearOptions>("linear", "Fully connected layer"));
  register_layer(layer_entry_of<ReLU>("relu", "ReLU"));
  register_layer(layer_entry_of<Identity>("identity", "Identity (no attention)"));
  register_layer(layer_entry_of<Dropout, DropoutOptions>("dropout", "Dropout"));
}

}  // namespace gaze
