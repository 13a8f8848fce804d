#include "trainers/lib/distributed/nccl_communicator.h"

#include "framework/error.h"
#include "gaze/build_config.h"

#if GAZE_HAVE_NCCL
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nccl.h>

#include <cstring>
#endif

namespace gaze {

#if GAZE_HAVE_NCCL

namespace {

void check_nccl(ncclResult_t status, const char* call) {
  if (status != ncclSuccess) fail("{} failed: {}", call, ncclGetErrorString(status));
}

void check_cuda_call(cudaError_t status, const char* call) {
  if (status != cudaSuccess) fail("{} failed: {}", call, cudaGetErrorString(status));
}

ncclDataType_t nccl_type(DType dtype) {
  if (dtype == DType::f32) return ncclFloat32;
  if (dtype == DType::f64) return ncclFloat64;
  fail("NCCL collectives take f32 or f64 data, not {}", dtype_name(dtype));
}

ncclRedOp_t nccl_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return ncclSum;
    case ReduceOp::mean: return ncclAvg;  // NCCL >= 2.10
    case ReduceOp::max: return ncclMax;
    case ReduceOp::min: return ncclMin;
  }
  fail("NCCL: unknown reduction");
}

class NcclGroupImpl final : public NcclGroup {
 public:
  NcclGroupImpl(Communicator& host, int device) : rank_(host.rank()), size_(host.size()), device_(device) {
    int devices = 0;
    check_cuda_call(cudaGetDeviceCount(&devices), "cudaGetDeviceCount");
    if (device < 0 || device >= devices) fail("NCCL: rank {} asks for cuda:{}, but this machine has {} GPU(s)", rank_, device, devices);
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    // The unique id travels as doubles through the host communicator (its collectives take
    // f32 or f64): 128 bytes are 16 of them.
    static_assert(sizeof(ncclUniqueId) % sizeof(double) == 0);
    double packed[sizeof(ncclUniqueId) / sizeof(double)] = {};
    ncclUniqueId id;
    if (rank_ == 0) {
      check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
      std::memcpy(packed, &id, sizeof(id));
    }
    host.broadcast(packed, static_cast<int64_t>(sizeof(packed) / sizeof(double)), DType::f64, 0);
    std::memcpy(&id, packed, sizeof(id));
    check_nccl(ncclCommInitRank(&comm_, size_, id, rank_), "ncclCommInitRank");
    check_cuda_call(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  }

  ~NcclGroupImpl() override {
    if (stream_) cudaStreamDestroy(stream_);
    if (comm_) ncclCommDestroy(comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int device() const override { return device_; }

  void allreduce(void* device_data, int64_t count, DType dtype, ReduceOp op) override {
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_nccl(ncclAllReduce(device_data, device_data, static_cast<size_t>(count), nccl_type(dtype), nccl_op(op), comm_, stream_),
               "ncclAllReduce");
    check_cuda_call(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

  void allreduce_async(void* device_data, int64_t count, DType dtype, ReduceOp op) override {
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_nccl(ncclAllReduce(device_data, device_data, static_cast<size_t>(count), nccl_type(dtype), nccl_op(op), comm_, stream_),
               "ncclAllReduce");
  }

  void wait() override {
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_cuda_call(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

  void broadcast(void* device_data, int64_t count, DType dtype, int root) override {
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_nccl(ncclBroadcast(device_data, device_data, static_cast<size_t>(count), nccl_type(dtype), root, comm_, stream_),
               "ncclBroadcast");
    check_cuda_call(cudaStreamSynchronize(stream_), "cudaStreamSynchronize");
  }

 private:
  int rank_ = 0, size_ = 1, device_ = 0;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

}  // namespace

std::string nccl_library_version() {
  int version = 0;
  if (ncclGetVersion(&version) != ncclSuccess) return "built, but ncclGetVersion failed";
  // NCCL >= 2.9 encodes major * 10000 + minor * 100 + patch.
  return fmt::format("{}.{}.{}", version / 10000, version / 100 % 100, version % 100);
}

std::unique_ptr<NcclGroup> make_nccl_group(Communicator& host, int device) { return std::make_unique<NcclGroupImpl>(host, device); }

bool nccl_built() { return true; }

#else

std::string nccl_library_version() {
  return "not built (needs MPI and the CUDA backend, and nccl.h and libnccl.so under the CUDA toolkit)";
}

bool nccl_built() { return false; }

std::unique_ptr<NcclGroup> make_nccl_group(Communicator&, int) {
  fail("this build of gaze has no NCCL: it needs MPI, the CUDA backend and NCCL under the CUDA toolkit (docs/distributed.md)");
}

#endif

}  // namespace gaze
