// A node of the autograd graph: one op's backward rule. It holds an edge to the node of each
// input that needs a gradient (null for the others) and a closure that owns exactly the tensors
// the rule needs. Leaves get an accumulator node that sums into their .grad.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "framework/tensor.h"

namespace gaze::autograd {

struct Node;
using Grads = std::vector<Tensor>;  // one per input; undefined where none flows
using BackwardFn = std::function<Grads(const Tensor& grad_output, const Node& node)>;

struct Node {
  std::string name;                         // the op, for error messages
  std::vector<std::shared_ptr<Node>> next;  // one per input
  BackwardFn backward;                      // reset once run, unless the graph is retained
  bool released = false;
  bool releasable = true;  // accumulators hold no saved tensors and serve every backward
  bool accumulates_leaf = false;  // a leaf's accumulator: the engine runs these as soon as they are ready

  // Whether input i needs a gradient: backward rules skip the work for the others.
  bool needs(size_t i) const { return i < next.size() && next[i] != nullptr; }
};

// The node an input's gradient flows into: its grad_fn, its accumulator if it is a leaf that
// requires grad, or null.
std::shared_ptr<Node> gradient_edge(const Tensor& input);

// Attaches a node for `name` to `output` when grad mode is on and any input requires grad.
// `backward` must not capture `output` itself (that would be a reference cycle): capture
// output.detach() instead.
Tensor record(const char* name, Tensor output, const std::vector<Tensor>& inputs, BackwardFn backward);

}  // namespace gaze::autograd
