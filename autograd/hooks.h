// Hooks on a leaf's gradient, as PyTorch's Tensor.register_post_accumulate_grad_hook: the backward
// engine calls them once per backward pass, right after the pass has summed every contribution
// into the leaf's .grad, so the gradient they see is final for that pass. Data-parallel training
// uses them to start averaging a bucket of gradients while the rest of the backward still runs.
#pragma once
#include <cstdint>
#include <functional>

#include "framework/tensor.h"

namespace gaze::autograd {

// Receives the leaf itself; read its gradient with leaf.grad(). A hook must not capture the leaf
// (that would be a reference cycle: leaf -> hook -> leaf).
using PostAccumulateGradHook = std::function<void(const Tensor& leaf)>;

// Registers `hook` on `leaf` (a tensor that requires grad and has no grad_fn) and returns an id
// for remove_post_accumulate_grad_hook. Hooks run in the order they were registered. A leaf that
// no gradient reaches in a pass is not called.
uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook);

// Removes the hook with this id; an id that is not registered on `leaf` is ignored.
void remove_post_accumulate_grad_hook(const Tensor& leaf, uint64_t id);

// Called by the leaf's accumulator once the gradient is final.
void run_post_accumulate_grad_hooks(const Tensor& leaf);

}  // namespace gaze::autograd
