#include "autograd/node.h"

#include "autograd/grad_mode.h"
#include "autograd/hooks.h"
#include "framework/backend_registry.h"
#include "framework/error.h"

namespace gaze::autograd {
namespace {

// Whether the first gradient of a leaf can become its .grad as it is, as PyTorch's AccumulateGrad
// "steals" it: nothing else holds the tensor (the engine's own handle is the only one) or its
// memory (no view of it), and it is a plain contiguous array of the leaf's shape. Then .grad still
// aliases no other tensor's memory, and a whole copy of the gradient is saved (an input's
// gradient in a benchmark, every parameter's each step).
bool can_adopt(const Tensor& grad, const TensorImpl& leaf) {
  const std::shared_ptr<TensorImpl>& impl = grad.impl_ptr();
  return impl.use_count() == 1 && impl->storage.use_count() == 1 && grad.is_contiguous() && grad.offset() == 0 &&
         grad.dtype() == leaf.dtype && grad.shape() == leaf.shape && !impl->requires_grad && !impl->grad_fn && !impl->grad &&
         impl->storage->nbytes() == static_cast<size_t>(grad.numel()) * dtype_size(grad.dtype());
}

// Sums incoming gradients into the leaf's .grad (the first gradient itself where nothing else
// holds it, else a fresh copy, so .grad never aliases another tensor's memory).
std::shared_ptr<Node> make_accumulator(const std::shared_ptr<TensorImpl>& leaf) {
  auto node = std::make_shared<Node>();
  node->name = "accumulate_grad";
  node->releasable = false;
  node->accumulates_leaf = true;
  node->backward = [leaf](const Tensor& grad, const Node&) -> Grads {
    Tensor current(leaf->grad);
    if (grad.shape() != leaf->shape)
      fail("accumulate_grad: gradient of shape {} for a leaf of shape {}", shape_str(grad.shape()),
           shape_str(leaf->shape));
    Device device = leaf->storage->device();
    if (!(grad.device() == device))
      fail("accumulate_grad: gradient on {} for a leaf on {} (shape {}); keep a model's inputs and parameters "
           "on one device", grad.device().str(), device.str(), shape_str(leaf->shape));
    if (!current.defined() && can_adopt(grad, *leaf)) {
      leaf->grad = grad.impl_ptr();
    } else if (!current.defined()) {
      Tensor fresh = empty(leaf->shape, leaf->dtype, device);
      fresh.copy_(grad);
      leaf->grad = fresh.impl_ptr();
    } else {
      Tensor sum = empty(leaf->shape, leaf->dtype, device);
      kernel_backend(Op::binary, leaf->dtype, device).binary(BinaryOp::add, sum.arg(), current.arg(), grad.arg());
      leaf->grad = sum.impl_ptr();
    }
    // The engine runs a node once per pass, after every contribution has reached it, so the
    // gradient is final here.
    if (!leaf->post_accumulate_grad_hooks.empty()) run_post_accumulate_grad_hooks(Tensor(leaf));
    return {};
  };
  return node;
}

}  // namespace

std::shared_ptr<Node> gradient_edge(const Tensor& input) {
  if (!input.defined() || !input.requires_grad()) return nullptr;
  TensorImpl* impl = input.impl();
  if (impl->grad_fn) return impl->grad_fn;
  if (auto existing = impl->grad_accumulator.lock()) return existing;
  auto node = make_accumulator(input.impl_ptr());
  impl->grad_accumulator = node;
  return node;
}

Tensor record(const char* name, Tensor output, const std::vector<Tensor>& inputs, BackwardFn backward) {
  if (!grad_enabled()) return output;
  std::vector<std::shared_ptr<Node>> next;
  bool any = false;
  for (const Tensor& input : inputs) {
    next.push_back(gradient_edge(input));
    any = any || next.back() != nullptr;
  }
  if (!any) return output;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->next = std::move(next);
  node->backward = std::move(backward);
  output.impl()->grad_fn = node;
  output.impl()->requires_grad = true;
  return output;
}

}  // namespace gaze::autograd
