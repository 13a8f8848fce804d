// The residual stages of the video models (video_nets.h's c2d and i3d, reid_net.h) with their
// Non-local blocks placed among them (nonlocal_insertion.h) and the optional temporal pooling
// after the first stage: what both run between their stem and their head. The owner registers
// the modules under its own names, "stages" and "stage{i}_nonlocal" (the ONNX export's scopes
// repeat them), so the parameters keep the owner's names.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "layers/sequential.h"

namespace gaze {

class OnnxGraph;

struct NonlocalStages {
  std::shared_ptr<Sequential> stages;                 // every residual block, stage after stage
  std::vector<int64_t> blocks;                        // residual blocks per stage, in order in `stages`
  std::vector<std::shared_ptr<Sequential>> nonlocal;  // per stage; null where none
  std::vector<std::vector<int64_t>> nonlocal_after;   // per stage: the block each Non-local block follows
  std::shared_ptr<Module> temporal_pool;              // null: none

  // Each stage's Non-local blocks of `mode` (`count` in all, spread by nonlocal_blocks_per_stage,
  // placed by nonlocal_positions) on maps of `channels[stage]` channels. `adopt(name, module)`
  // registers a stage's stack on the owner and returns it.
  using Adopt = std::function<std::shared_ptr<Sequential>(const std::string& name, std::shared_ptr<Sequential> module)>;
  void add_nonlocal(const std::string& mode, int64_t count, bool sub_sample, const std::vector<int64_t>& channels, const Adopt& adopt);

  // The stem's output through every stage, each Non-local block after its residual block.
  Tensor forward(Tensor x) const;
  std::string export_onnx(OnnxGraph& graph, std::string x) const;
};

}  // namespace gaze
