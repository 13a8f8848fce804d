// How a layer that forms a positions × positions map computes softmax(θᵀφ)·g: through the map
// (materialized: matmul, softmax, matmul, as the papers' code does) or without it (fused: the
// FlashAttention-2 op fused_attention, memory linear in the positions). Both give the same
// result to f32 rounding and the layer's parameters are the same.
#pragma once
#include <cstdint>

#include "layers/option_binder.h"

namespace gaze {

enum class AttentionImpl { automatic, fused, materialized };
const ChoiceNames& choice_names(AttentionImpl);

// `auto` fuses when the largest tensor the materialized path forms, batch · queries · keys ·
// values_per_pair f32 values, would take more than this. For the softmax modes, dot product and
// PAM that tensor is the map itself (values_per_pair 1). A materialized map costs about four times
// its size while training (the logits, their softmax and both gradients); below 64 MiB that is at
// most a few hundred MiB and the materialized path is at least as fast, so those blocks in every
// config shipped with gaze (whose largest maps are 32 MiB) keep the exact arithmetic they were
// measured with. Concatenation's materialized path forms every pair's features [θ_i; φ_j] before
// w_f reduces them to the map: 2·C' values a pair (values_per_pair), 32 times the map at C' = 16:
// 1 GiB for the action-relations C2D's 32 MiB map, so its shipped configs take the fused path.
constexpr int64_t kFusedAttentionMinMapBytes = int64_t{64} << 20;

// Whether to take the fused path. `map_wanted`: the layer records its map (visualization), which
// only the materialized path forms; asking for `fused` and the map together is an error.
bool use_fused_attention(AttentionImpl impl, int64_t batch, int64_t queries, int64_t keys, int64_t values_per_pair,
                         bool map_wanted, const char* layer);

}  // namespace gaze
