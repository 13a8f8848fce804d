#include "autograd/loss.h"

#include "autograd/elementwise.h"
#include "autograd/op_support.h"
#include "autograd/reduce.h"
#include "autograd/shape_ops.h"
#include "autograd/softmax.h"

namespace gaze {
using namespace autograd;

namespace {

// [N, C, d...] -> [N·d..., C] and target [N, d...] -> [N·d...], checking the shapes agree.
std::pair<Tensor, Tensor> flatten_classes(const char* op, const Tensor& input, const Tensor& target) {
  check_floating(op, input);
  check_defined(op, target, "target");
  if (target.dtype() != DType::i64)
    fail("{}: target must hold class indices as i64, got {}", op, dtype_name(target.dtype()));
  check_same_device(op, input, target);
  if (input.dim() < 2) fail("{}: expected input [N, C] or [N, C, d1, ...], got shape {}", op, shape_str(input.shape()));
  Shape expected{input.shape()[0]};
  expected.insert(expected.end(), input.shape().begin() + 2, input.shape().end());
  if (target.shape() != expected)
    fail("{}: target shape {} does not match input shape {} (expected target {})", op,
         shape_str(target.shape()), shape_str(input.shape()), shape_str(expected));
  int64_t classes = input.shape()[1];
  Tensor rows = input;
  if (input.dim() > 2) {
    std::vector<int64_t> order{0};
    for (int64_t d = 2; d < input.dim(); ++d) order.push_back(d);
    order.push_back(1);
    rows = permute(input, order);
  }
  return {reshape(rows, {-1, classes}), contiguous(reshape(target, {-1}))};
}

void check_weight(const char* op, const Tensor& weight, const Tensor& input) {
  if (!weight.defined()) return;
  check_same_dtype(op, input, weight);
  if (weight.shape() != Shape{input.shape()[1]})
    fail("{}: class weight shape {} should be [{}] for input {}", op, shape_str(weight.shape()),
         input.shape()[1], shape_str(input.shape()));
}

// Per-row losses -w[t]·logp[t] (differentiable in logp) and the per-row weights w[t].
std::pair<Tensor, Tensor> nll_rows(const Tensor& logp_in, const Tensor& target, const Tensor& weight, int64_t ignore_index) {
  Tensor logp = contiguous(logp_in);
  int64_t rows = logp.shape()[0];
  Tensor losses = empty({rows}, logp.dtype(), logp.device());
  Tensor weights = empty({rows}, logp.dtype(), logp.device());
  Tensor w = weight.defined() ? contiguous(weight.detach()) : Tensor();
  backend(Op::nll_loss_forward, logp)
      .nll_loss_forward(losses.arg(), weights.arg(), logp.arg(), target.arg(), optional_arg(w), ignore_index);
  losses = record("nll_loss", losses, {logp}, [target, w, ignore_index, shape = logp.shape()](const Tensor& g_in, const Node&) -> Grads {
    Tensor g = contiguous(g_in);
    Tensor grad = empty(shape, g.dtype(), g.device());
    backend(Op::nll_loss_backward, g).nll_loss_backward(grad.arg(), g.arg(), target.arg(), optional_arg(w), ignore_index);
    return {grad};
  });
  return {losses, weights};
}

Tensor reduce_rows(const Tensor& per_row, const Tensor& weights, Reduction reduction, const Shape& none_shape) {
  switch (reduction) {
    case Reduction::none: return reshape(per_row, none_shape);
    case Reduction::sum: return sum(per_row);
    case Reduction::mean: return div(sum(per_row), sum(weights));
  }
  return per_row;
}

Shape target_shape(const Tensor& target) { return target.shape(); }

// 1 where the label counts, 0 where it equals ignore_index (i64).
Tensor not_ignored(const Tensor& labels, int64_t ignore_index) {
  return sub(scalar_tensor(1.0, DType::i64, labels.device()),
             eq(labels, scalar_tensor(static_cast<double>(ignore_index), DType::i64, labels.device())));
}

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, const CrossEntropyOptions& options) {
  auto [rows, labels] = flatten_classes("nll_loss", log_probs, target);
  check_weight("nll_loss", options.weight, log_probs);
  auto [losses, weights] = nll_rows(rows, labels, options.weight, options.ignore_index);
  return reduce_rows(losses, weights, options.reduction, target_shape(target));
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  auto [rows, labels] = flatten_classes("cross_entropy", logits, target);
  check_weight("cross_entropy", options.weight, logits);
  double eps = options.label_smoothing;
  if (eps < 0.0 || eps > 1.0) fail("cross_entropy: label_smoothing {} is outside [0, 1]", eps);
  Tensor logp = log_softmax(rows, 1);
  auto [losses, weights] = nll_rows(logp, labels, options.weight, options.ignore_index);
  Tensor nll = reduce_rows(losses, weights, options.reduction, target_shape(target));
  if (eps == 0.0) return nll;

  // PyTorch's smoothing term: −Σ_c w_c·logp_c per row, zero on ignored rows; the mean divides
  // by the number of rows that count without class weights, by Σ w[target] with them.
  int64_t classes = rows.shape()[1];
  Tensor per_class = options.weight.defined() ? mul(logp, reshape(options.weight.detach(), {1, classes})) : logp;
  Tensor kept = to_dtype(not_ignored(labels, options.ignore_index), logp.dtype());
  Tensor smooth = mul(neg(sum(per_class, {1})), kept);
  Tensor smooth_reduced;
  switch (options.reduction) {
    case Reduction::none: smooth_reduced = reshape(smooth, target_shape(target)); break;
    case Reduction::sum: smooth_reduced = sum(smooth); break;
    case Reduction::mean:
      smooth_reduced = div(sum(smooth), options.weight.defined() ? sum(weights) : sum(kept));
      break;
  }
  return add(mul(nll, scalar_tensor(1.0 - eps, logp.dtype(), logp.device())),
             mul(smooth_reduced, scalar_tensor(eps / static_cast<double>(classes), logp.dtype(), logp.device())));
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_dtype("mse_loss", input, target);
  if (input.shape() != target.shape())
    fail("mse_loss: input shape {} and target shape {} differ", shape_str(input.shape()), shape_str(target.shape()));
  Tensor squared = square(sub(input, target));
  switch (reduction) {
    case Reduction::none: return squared;
    case Reduction::sum: return sum(squared);
    case Reduction::mean: return mean(squared);
  }
  return squared;
}

}  // namespace gaze
