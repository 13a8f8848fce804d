#include "trainers/lib/distributed/cross_rank_ops.h"

#include "autograd/node.h"
#include "layers/batch_norm.h"

namespace gaze {

namespace {

// A contiguous host copy of x, summed over the ranks, back on x's device.
Tensor summed_copy(Communicator& communicator, const Tensor& x) {
  Tensor host = empty(x.shape(), x.dtype());
  host.copy_(x.device().is_cpu() ? x : x.to(Device::cpu()));
  void* data = x.dtype() == DType::f32 ? static_cast<void*>(host.data<float>()) : static_cast<void*>(host.data<double>());
  communicator.allreduce_in_order(data, host.numel(), host.dtype(), ReduceOp::sum);
  return x.device().is_cpu() ? host : host.to(x.device());
}

void synchronize_below(Module& module, const CrossRankSum& sum, int64_t& count) {
  if (auto* bn = dynamic_cast<BatchNorm*>(&module)) bn->synchronize_statistics(sum), ++count;
  for (auto& [name, child] : module.named_children()) synchronize_below(*child, sum, count);
}

}  // namespace

Tensor sum_over_ranks(Communicator& communicator, const Tensor& x) {
  Tensor out = summed_copy(communicator, x.detach());
  return autograd::record("sum_over_ranks", out, {x}, [&communicator](const Tensor& grad, const autograd::Node&) -> autograd::Grads {
    return {summed_copy(communicator, grad)};
  });
}

int64_t synchronize_batch_norms(Module& model, Communicator& communicator) {
  int64_t count = 0;
  const CrossRankSum sum = [&communicator](const Tensor& x) { return sum_over_ranks(communicator, x); };
  synchronize_below(model, sum, count);
  return count;
}

}  // namespace gaze
