// NCCL, for averaging gradients that live on GPUs (built when GAZE_HAVE_NCCL: NCCL under the CUDA
// toolkit, and MPI to bootstrap it). A NcclGroup spans the ranks of a host communicator: rank 0
// makes NCCL's unique id and broadcasts it through that communicator, and every rank joins with
// the GPU it trains on. Its collectives take GPU memory and run on the group's own stream.
//
// DataParallel averages GPU gradient buckets with it (bucket_averager.h). Compiled wherever NCCL
// is found, but not yet run by any test: the machines gaze is tested on have no GPU
// (docs/distributed.md).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "framework/backend.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

// ncclGetVersion as "2.23.4", or why NCCL is not built.
std::string nccl_library_version();
// Whether this build has NCCL.
bool nccl_built();

class NcclGroup {
 public:
  virtual ~NcclGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int device() const = 0;  // the CUDA device this rank uses
  // In place on `count` elements of f32 or f64 at `device_data` (this rank's GPU); they return
  // once the result is there.
  virtual void allreduce(void* device_data, int64_t count, DType dtype, ReduceOp op) = 0;
  virtual void broadcast(void* device_data, int64_t count, DType dtype, int root) = 0;
  // allreduce queued on the group's stream, returning at once: the data must be ready when it is
  // called (the stream does not wait for other streams) and untouched until wait() returns, which
  // blocks until everything queued on the group's stream has run.
  virtual void allreduce_async(void* device_data, int64_t count, DType dtype, ReduceOp op) = 0;
  virtual void wait() = 0;
};

// Every rank of `host` must call it; `device` is the CUDA device index this rank trains on.
// Fails with the reason in a build without NCCL.
std::unique_ptr<NcclGroup> make_nccl_group(Communicator& host, int device);

// Whether the ranks of `host` train on different GPUs, as an NCCL group requires: each rank names
// its GPU by its machine (host name and boot id) and the GPU's PCI bus id, as NCCL itself does,
// and compares with every other rank's. Sees through CUDA_VISIBLE_DEVICES (a launcher that gives
// each rank its own GPU, all of them cuda:0). Every rank must call it; fails in a build without NCCL.
bool ranks_have_distinct_gpus(Communicator& host, int device);

// Whether `identity` (not NaN) differs on every rank of `host`: each rank learns every rank's
// (an allreduce of a vector holding each rank's value at its own index). Every rank must call it.
bool distinct_over_ranks(Communicator& host, double identity);

}  // namespace gaze
