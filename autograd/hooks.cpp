#include "autograd/hooks.h"

#include <algorithm>
#include <atomic>

#include "framework/error.h"

namespace gaze::autograd {

uint64_t register_post_accumulate_grad_hook(const Tensor& leaf, PostAccumulateGradHook hook) {
  if (!leaf.defined()) fail("register_post_accumulate_grad_hook: the tensor is undefined");
  if (!leaf.requires_grad() || !leaf.is_leaf())
    fail("register_post_accumulate_grad_hook: the tensor (shape {}) is not a leaf that requires grad; register "
         "the hook on a parameter (set_requires_grad(true), not the result of an op)",
         shape_str(leaf.shape()));
  if (!hook) fail("register_post_accumulate_grad_hook: the hook is empty");
  static std::atomic<uint64_t> next_id{1};
  uint64_t id = next_id++;
  leaf.impl()->post_accumulate_grad_hooks.emplace_back(id, std::move(hook));
  return id;
}

void remove_post_accumulate_grad_hook(const Tensor& leaf, uint64_t id) {
  if (!leaf.defined()) return;
  auto& hooks = leaf.impl()->post_accumulate_grad_hooks;
  hooks.erase(std::remove_if(hooks.begin(), hooks.end(), [id](const auto& entry) { return entry.first == id; }),
              hooks.end());
}

void run_post_accumulate_grad_hooks(const Tensor& leaf) {
  // A copy: a hook may remove itself or register another one.
  auto hooks = leaf.impl()->post_accumulate_grad_hooks;
  for (const auto& entry : hooks) entry.second(leaf);
}

}  // namespace gaze::autograd
