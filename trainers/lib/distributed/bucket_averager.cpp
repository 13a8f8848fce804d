#include "trainers/lib/distributed/bucket_averager.h"

#include <fmt/format.h>

#include <utility>

#include "framework/device_memory.h"
#include "framework/error.h"
#include "trainers/lib/distributed/nccl_communicator.h"

namespace gaze {

namespace {

// The bucket's first element on its own device (a device pointer for a GPU bucket).
void* bucket_data(const Tensor& bucket) {
  if (bucket.dtype() != DType::f32 && bucket.dtype() != DType::f64)
    fail("a gradient bucket holds f32 or f64 values, not {}", dtype_name(bucket.dtype()));
  if (!bucket.is_contiguous()) fail("a gradient bucket must be contiguous");
  return bucket.raw_data();
}

class HostBucketAverager final : public BucketAverager {
 public:
  HostBucketAverager(Communicator& communicator, std::string why_not_nccl)
      : communicator_(communicator), why_not_nccl_(std::move(why_not_nccl)) {}
  Device device() const override { return Device::cpu(); }
  void start(Tensor& bucket) override {
    communicator_.allreduce_async(bucket_data(bucket), bucket.numel(), bucket.dtype(), ReduceOp::mean);
  }
  void wait() override { communicator_.wait_all(); }
  std::string description() const override {
    return why_not_nccl_.empty() ? "MPI_Allreduce on host buffers" : fmt::format("MPI_Allreduce on host buffers ({})", why_not_nccl_);
  }

 private:
  Communicator& communicator_;
  std::string why_not_nccl_;
};

class NcclBucketAverager final : public BucketAverager {
 public:
  NcclBucketAverager(Communicator& communicator, Device device) : device_(device), group_(make_nccl_group(communicator, device.index)) {}
  Device device() const override { return device_; }
  void start(Tensor& bucket) override {
    // The gradients were copied into the bucket by kernels queued on the backend's stream; NCCL
    // runs on its own, so it may start only once they have run. Waiting here (rather than with
    // an event between the streams, which the backend does not expose) still lets the reduction
    // overlap the backward kernels queued after it.
    gpu_memory().synchronize(device_.index);
    group_->allreduce_async(bucket_data(bucket), bucket.numel(), bucket.dtype(), ReduceOp::mean);
  }
  void wait() override { group_->wait(); }
  std::string description() const override { return fmt::format("NCCL {} on {}", nccl_library_version(), device_.str()); }

 private:
  Device device_;
  std::unique_ptr<NcclGroup> group_;
};

}  // namespace

std::unique_ptr<BucketAverager> make_host_bucket_averager(Communicator& communicator, const std::string& why_not_nccl) {
  return std::make_unique<HostBucketAverager>(communicator, why_not_nccl);
}

std::unique_ptr<BucketAverager> make_bucket_averager(Communicator& communicator, Device device) {
  if (!device.is_cuda()) return make_host_bucket_averager(communicator);
  if (!nccl_built()) return make_host_bucket_averager(communicator, "not NCCL: this build has none");
  if (!ranks_have_distinct_gpus(communicator, device.index))
    return make_host_bucket_averager(communicator,
                                     "not NCCL, which needs a GPU of its own for every rank, and some ranks share one: "
                                     "more ranks on a machine than it has GPUs, or one explicit cuda:N for several");
  return std::make_unique<NcclBucketAverager>(communicator, device);
}

}  // namespace gaze
