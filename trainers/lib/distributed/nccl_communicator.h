// NCCL, for averaging gradients that live on GPUs (built when GAZE_HAVE_NCCL: NCCL under the CUDA
// toolkit, and MPI to bootstrap it). A NcclGroup spans the ranks of a host communicator: rank 0
// makes NCCL's unique id and broadcasts it through that communicator, and every rank joins with
// the GPU of its local rank. Its collectives take GPU memory and run on the group's own stream,
// waited for before they return.
//
// Compiled wherever NCCL is found; not yet used by DataParallel (which averages through host
// copies) and not run by any test: the machines gaze is tested on have no GPU
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

class NcclGroup {
 public:
  virtual ~NcclGroup() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int device() const = 0;  // the CUDA device this rank uses
  // In place on `count` elements of f32 or f64 at `device_data` (this rank's GPU).
  virtual void allreduce(void* device_data, int64_t count, DType dtype, ReduceOp op) = 0;
  virtual void broadcast(void* device_data, int64_t count, DType dtype, int root) = 0;
};

// Every rank of `host` must call it; fails with the reason in a build without NCCL.
std::unique_ptr<NcclGroup> make_nccl_group(Communicator& host);

}  // namespace gaze
