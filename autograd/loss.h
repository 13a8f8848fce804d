// Differentiable losses.
#pragma once
#include "framework/tensor.h"

namespace gaze {

enum class Reduction { none, mean, sum };

struct CrossEntropyOptions {
  Tensor weight;               // [C] class weights, or undefined
  int64_t ignore_index = -100;  // targets equal to it contribute nothing
  double label_smoothing = 0.0;
  Reduction reduction = Reduction::mean;
};

// logits [N, C] or [N, C, d1, ...] (segmentation); target i64 [N] or [N, d1, ...].
// Matches torch.nn.functional.cross_entropy, including how class weights, ignore_index and
// label smoothing combine under each reduction.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});
// The same on log-probabilities, without label smoothing.
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const CrossEntropyOptions& options = {});
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

}  // namespace gaze
