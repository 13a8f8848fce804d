// Data parallelism as PyTorch's DistributedDataParallel: every rank holds the whole model, trains
// on its own shard of each batch, and takes the same optimizer step with the gradients averaged
// over the ranks. Construction registers a post-accumulate-grad hook (autograd/hooks.h) on every
// parameter; the parameters are grouped into buckets of about `bucket_bytes`, in the reverse of
// their registration order (roughly the order the backward finishes them), and a bucket is
// averaged on the communicator's thread as soon as all of its gradients are final, while the
// backward of earlier layers still runs. finish_gradients() waits for the buckets and writes the
// averages back into .grad, before clipping and the optimizer step. The buckets live where the
// BucketAverager works: host memory for Open MPI, the rank's GPU for NCCL (bucket_averager.h).
#pragma once
#include <cstdint>
#include <vector>

#include "layers/module.h"
#include "trainers/lib/distributed/bucket_averager.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

class DataParallel {
 public:
  // Parameters and buffers are broadcast through `communicator`; gradient buckets are averaged
  // by `averager` (make_bucket_averager).
  DataParallel(Module& model, Communicator& communicator, std::unique_ptr<BucketAverager> averager, int64_t bucket_bytes);
  ~DataParallel();  // removes the hooks
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  // Every rank takes rank 0's parameters and buffers (the start of a run: the same weights
  // everywhere, whatever each rank initialized or loaded).
  void broadcast_from_rank0();
  // Rank 0's buffers (BatchNorm's running statistics) to every rank, as DDP's broadcast_buffers:
  // what evaluation and checkpoints see is one model.
  void broadcast_buffers();
  // After backward: starts the buckets whose gradients never became final (parameters the pass
  // did not reach, counted as zero), waits for every bucket and writes the averages into .grad.
  void finish_gradients();

  int64_t bucket_count() const { return static_cast<int64_t>(buckets_.size()); }
  const BucketAverager& averager() const { return *averager_; }

 private:
  struct Slot {
    Tensor parameter;
    int64_t bucket = 0, offset = 0;  // where its gradient lies in its bucket, in elements
    bool ready = false;
    uint64_t hook = 0;
  };
  struct Bucket {
    Tensor buffer;  // contiguous f32 or f64, on the averager's device
    std::vector<int64_t> slots;
    int64_t ready = 0;
    bool started = false;
  };

  void on_gradient_final(int64_t slot);
  void start_ready_buckets();  // in bucket order: every rank starts the same reductions in the same order
  void reset();

  Module& model_;
  Communicator& communicator_;
  std::unique_ptr<BucketAverager> averager_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  int64_t next_to_start_ = 0;
};

}  // namespace gaze
