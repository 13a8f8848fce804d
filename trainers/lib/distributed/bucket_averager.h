// How DataParallel averages a bucket of gradients over the ranks, and where its buckets live:
// Open MPI on host buffers (the communicator's thread does the work while the backward goes on),
// or NCCL on buffers on the rank's GPU (the reduction runs on NCCL's stream while the backward's
// kernels run on the backend's). make_bucket_averager picks NCCL when the model trains on a GPU
// and this build has NCCL, else MPI (GPU gradients then travel through host copies).
#pragma once
#include <memory>
#include <string>

#include "framework/device.h"
#include "framework/tensor.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

class BucketAverager {
 public:
  virtual ~BucketAverager() = default;
  virtual Device device() const = 0;  // where the buckets are allocated
  // Begins replacing `bucket` (contiguous, on device()) by its mean over the ranks, in place.
  // Every rank starts the same buckets in the same order.
  virtual void start(Tensor& bucket) = 0;
  // Returns when every started bucket holds its mean; rethrows the first error.
  virtual void wait() = 0;
  virtual std::string description() const = 0;  // for the run's log: "Open MPI", "NCCL 2.23.4 on cuda:1"
};

// Host buckets averaged by communicator.allreduce_async (ReduceOp::mean). `why_not_nccl`, when
// given, says in description() why GPU gradients take this path.
std::unique_ptr<BucketAverager> make_host_bucket_averager(Communicator& communicator, const std::string& why_not_nccl = "");
// The averager for a model whose parameters live on `device`: NCCL's on a GPU when this build has
// NCCL and every rank trains on a GPU of its own (NCCL refuses a group in which two ranks share
// one: ranks_have_distinct_gpus), else the host one. Every rank must call it (both checks and the
// NCCL group are collective, so all ranks take the same path).
std::unique_ptr<BucketAverager> make_bucket_averager(Communicator& communicator, Device device);

}  // namespace gaze
