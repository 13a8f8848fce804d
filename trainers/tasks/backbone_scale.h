// The model keys that take a backbone from the small models to the papers' ResNets, shared by
// every backbone (each registers them; the registry checks that they agree): model.depth,
// model.blocks, model.block, model.stem, model.zero_init_residual, and for the video backbones
// model.inflate and model.temporal_pool. Their defaults keep the small models as they were.
#pragma once
#include <string>
#include <vector>

#include "layers/models/resnet_depth.h"
#include "trainers/lib/config/config.h"
#include "trainers/lib/config/schema.h"

namespace gaze {

// A backbone's `own` keys followed by model.depth, model.blocks, model.block, model.stem and
// model.zero_init_residual.
std::vector<ConfigKey> backbone_scale_keys(std::vector<ConfigKey> own);
// The same and model.inflate, model.temporal_pool (the 3D video backbones).
std::vector<ConfigKey> video_backbone_scale_keys(std::vector<ConfigKey> own);

struct BackboneScale {
  std::vector<int64_t> widths, strides, blocks;
  BlockKind block = BlockKind::basic;
  StemKind stem = StemKind::small;
  bool zero_init_residual = false;
};

// The backbone's stages as the config sets them: model.depth's table (resnet_depth.h, with
// strides [1, 2, 2, 2] unless model.strides is given), or model.widths, model.strides,
// model.blocks and model.block. A depth beside explicit widths, blocks or block is an error
// naming both places.
BackboneScale backbone_scale(const Config& config);

}  // namespace gaze
