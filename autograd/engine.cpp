#include "autograd/engine.h"

#include <unordered_map>
#include <vector>

#include "autograd/grad_mode.h"
#include "autograd/node.h"
#include "framework/backend_registry.h"
#include "framework/error.h"

namespace gaze::autograd {

void backward(const Tensor& root, const Tensor& grad_in, bool retain_graph) {
  if (!root.defined()) fail("backward: the tensor is undefined");
  if (!root.requires_grad())
    fail("backward: the tensor (shape {}) does not require grad and has no grad_fn; mark an "
         "input with set_requires_grad(true) before computing it",
         shape_str(root.shape()));
  Tensor grad = grad_in;
  if (!grad.defined()) {
    if (root.numel() != 1)
      fail("backward: a gradient can be implied only for a one-element output; this one has "
           "shape {}: pass backward(grad) with that shape",
           shape_str(root.shape()));
    grad = ones(root.shape(), root.dtype(), root.device());
  } else if (grad.shape() != root.shape() || grad.dtype() != root.dtype() || !(grad.device() == root.device())) {
    fail("backward: gradient of shape {} ({}, {}) for an output of shape {} ({}, {})", shape_str(grad.shape()),
         dtype_name(grad.dtype()), grad.device().str(), shape_str(root.shape()), dtype_name(root.dtype()),
         root.device().str());
  }

  std::shared_ptr<Node> start = gradient_edge(root);
  // Dependency counts: how many edges from nodes of this graph point at each node.
  std::unordered_map<Node*, int> dependencies;
  std::vector<Node*> stack{start.get()};
  std::unordered_map<Node*, bool> seen{{start.get(), true}};
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const auto& next : node->next) {
      if (!next) continue;
      dependencies[next.get()] += 1;
      if (!seen[next.get()]) {
        seen[next.get()] = true;
        stack.push_back(next.get());
      }
    }
  }

  NoGradGuard no_grad;  // backward rules are not themselves recorded
  std::unordered_map<Node*, Tensor> pending{{start.get(), grad}};
  // Leaves' accumulators run as soon as they are ready, before any other ready node: they are
  // cheap, and a leaf's gradient is then final (and its post-accumulate-grad hooks run) as early
  // as the graph allows, which is what lets data-parallel training average the last layers'
  // gradients while the backward of the first ones still runs. The order changes no value: each
  // node still runs once, with the sum of what reached it.
  std::vector<std::shared_ptr<Node>> ready{start};
  std::vector<std::shared_ptr<Node>> ready_accumulators;
  auto make_ready = [&](const std::shared_ptr<Node>& node) {
    (node->accumulates_leaf ? ready_accumulators : ready).push_back(node);
  };
  while (!ready.empty() || !ready_accumulators.empty()) {
    std::vector<std::shared_ptr<Node>>& from = ready_accumulators.empty() ? ready : ready_accumulators;
    std::shared_ptr<Node> node = from.back();
    from.pop_back();
    auto found = pending.find(node.get());
    if (found == pending.end()) {
      // No gradient reached this node (every path into it was zero by construction): it still
      // releases its children's dependency counts.
      for (const auto& next : node->next)
        if (next && --dependencies[next.get()] == 0) make_ready(next);
      continue;
    }
    Tensor node_grad = found->second;
    pending.erase(found);
    if (node->released || !node->backward)
      fail("backward: trying to backward through '{}' a second time, but its saved tensors were "
           "freed by the first backward; call backward(grad, /*retain_graph=*/true) the first time",
           node->name);
    Grads grads = node->backward(node_grad, *node);
    if (!retain_graph && node->releasable) {
      node->backward = nullptr;
      node->released = true;
    }
    for (size_t i = 0; i < node->next.size(); ++i) {
      Node* next = node->next[i].get();
      if (!next) continue;
      if (i < grads.size() && grads[i].defined()) {
        Tensor& slot = pending[next];
        if (!slot.defined()) {
          slot = grads[i];
        } else {
          Tensor sum = empty(slot.shape(), slot.dtype(), slot.device());
          kernel_backend(Op::binary, slot.dtype(), slot.device()).binary(BinaryOp::add, sum.arg(), slot.arg(), grads[i].arg());
          slot = sum;
        }
      }
      if (--dependencies[next] == 0) make_ready(node->next[i]);
    }
  }
}

}  // namespace gaze::autograd

namespace gaze {

void Tensor::backward(const Tensor& grad, bool retain_graph) const {
  autograd::backward(*this, grad, retain_graph);
}

}  // namespace gaze
