#include "layers/models/nonlocal_stages.h"

#include <fmt/format.h>

#include "layers/models/nonlocal_insertion.h"
#include "layers/onnx/onnx_graph.h"

namespace gaze {

void NonlocalStages::add_nonlocal(const std::string& mode, int64_t count, bool sub_sample, const std::vector<int64_t>& channels,
                                  const Adopt& adopt) {
  const std::vector<int64_t> per_stage = nonlocal_blocks_per_stage(mode, count, static_cast<int64_t>(blocks.size()));
  nonlocal.assign(per_stage.size(), nullptr);
  nonlocal_after.assign(per_stage.size(), {});
  for (size_t i = 0; i < per_stage.size(); ++i)
    if (per_stage[i] > 0) {
      nonlocal[i] = adopt(fmt::format("stage{}_nonlocal", i), make_nonlocal_stack(per_stage[i], channels[i], mode, sub_sample));
      nonlocal_after[i] = nonlocal_positions(per_stage[i], blocks[i]);
    }
}

Tensor NonlocalStages::forward(Tensor x) const {
  size_t k = 0;  // the block's index in `stages`
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (int64_t b = 0; b < blocks[i]; ++b) {
      x = (*stages)[k++]->forward(x);
      for (size_t j = 0; j < nonlocal_after[i].size(); ++j)
        if (nonlocal_after[i][j] == b) x = (*nonlocal[i])[j]->forward(x);
    }
    if (i == 0 && temporal_pool) x = temporal_pool->forward(x);
  }
  return x;
}

std::string NonlocalStages::export_onnx(OnnxGraph& graph, std::string x) const {
  size_t k = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (int64_t b = 0; b < blocks[i]; ++b) {
      graph.push_scope("stages");
      x = stages->export_child(graph, *(*stages)[k++], x);
      graph.pop_scope();
      for (size_t j = 0; j < nonlocal_after[i].size(); ++j)
        if (nonlocal_after[i][j] == b) {
          graph.push_scope(fmt::format("stage{}_nonlocal", i));
          x = nonlocal[i]->export_child(graph, *(*nonlocal[i])[j], x);
          graph.pop_scope();
        }
    }
    if (i == 0 && temporal_pool) x = temporal_pool->export_onnx(graph, {x});
  }
  return x;
}

}  // namespace gaze
