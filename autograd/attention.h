// Fused attention: softmax(scale · q kᵀ) v without the [Nq, Nk] map (FlashAttention-2), one op
// with its own backward. Memory is O(B·(Nq + Nk)·C); the materialized form, softmax(matmul(q,
// transpose(k))) then matmul with v, stores B·Nq·Nk values for the map, its softmax and their
// gradients. Same result to f32 rounding.
#pragma once
#include "framework/tensor.h"

namespace gaze {

// q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv] -> [B,Nq,Cv]; Nk ≥ 1. The backward saves q, k, v, the
// output and one log-sum-exp per query row, and recomputes the map tile by tile.
Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, double scale = 1.0);

}  // namespace gaze
