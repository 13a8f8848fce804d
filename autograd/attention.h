// Fused attention: softmax(scale · q kᵀ) v without the [Nq, Nk] map (FlashAttention-2), one op
// with its own backward. Memory is O(B·(Nq + Nk)·C); the materialized form, softmax(matmul(q,
// transpose(k))) then matmul with v, stores B·Nq·Nk values for the map, its softmax and their
// gradients. Same result to f32 rounding.
#pragma once
#include "framework/tensor.h"

namespace gaze {

// q [B,Nq,Ck], k [B,Nk,Ck], v [B,Nk,Cv] -> [B,Nq,Cv]; Nk ≥ 1. The backward saves q, k, v, the
// output and one log-sum-exp per query row, and recomputes the map tile by tile. Inputs that are
// the transpose of a contiguous [B, C, N] map (a layer's flattened feature map) reach the CPU
// kernels uncopied; the output then comes in that layout too (its transpose is contiguous), and
// each gradient in its input's layout.
Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, double scale = 1.0);

// Concatenation attention without the map: out[b,i] = scale · Σ_j ReLU(a[b,i] + k[b,j]) · v[b,j],
// a [B,Nq], k [B,Nk], v [B,Nk,C] -> [B,Nq,C]. Non-local's concatenation mode is this with
// a = w_θᵀθ, k = w_φᵀφ (w_f split in its halves), v = g and scale = 1/Nk. One op with its own
// backward, which saves only a, k and v. CPU backends only (relu_pair_attention_available).
Tensor relu_pair_attention(const Tensor& a, const Tensor& k, const Tensor& v, double scale = 1.0);
// Whether the backend of tensors like `like` (its device and dtype) has relu_pair_attention's
// kernels.
bool relu_pair_attention_available(const Tensor& like);

}  // namespace gaze
