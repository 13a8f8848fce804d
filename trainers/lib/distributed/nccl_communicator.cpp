#include "trainers/lib/distributed/nccl_communicator.h"

#include <algorithm>
#include <vector>

#include "framework/error.h"
#include "gaze/build_config.h"

#if GAZE_HAVE_NCCL
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <nccl.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <thread>
#endif

namespace gaze {

bool distinct_over_ranks(Communicator& host, double identity) {
  std::vector<double> all(static_cast<size_t>(host.size()), 0.0);
  all[static_cast<size_t>(host.rank())] = identity;  // x + 0 is exact: the sum is every rank's value
  host.allreduce(all.data(), static_cast<int64_t>(all.size()), DType::f64, ReduceOp::sum);
  std::sort(all.begin(), all.end());
  return std::adjacent_find(all.begin(), all.end()) == all.end();
}

#if GAZE_HAVE_NCCL

namespace {

// "invalid usage (...)" with NCCL's last message when it kept one. Its full account goes to its
// log, which is silent unless NCCL_DEBUG is set on every rank.
std::string nccl_error_text(ncclResult_t status, ncclComm_t comm) {
  const std::string last = ncclGetLastError(comm);
  return fmt::format("{} ({}under mpirun, -x NCCL_DEBUG=WARN sets NCCL_DEBUG on every rank)", ncclGetErrorString(status),
                     last.empty() ? "" : last + "; ");
}

void check_nccl(ncclResult_t status, const char* call) {
  if (status != ncclSuccess) fail("{} failed: {}", call, nccl_error_text(status, nullptr));
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
    const ncclResult_t joined = ncclCommInitRank(&comm_, size_, id, rank_);
    if (joined == ncclInvalidUsage)  // what NCCL answers when two ranks of a group share a GPU
      fail("ncclCommInitRank failed on rank {} (cuda:{}): {}. NCCL needs a GPU of its own for every rank: with "
           "train.device cuda the ranks of a machine take cuda:(local rank mod GPUs), so launch at most as many ranks "
           "per machine as it has GPUs, and give no explicit cuda:N to several ranks of one machine",
           rank_, device_, nccl_error_text(joined, nullptr));
    check_nccl(joined, "ncclCommInitRank");
    check_cuda_call(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  }

  // Destroying a group waits for its peers to finish what was queued. A rank that is failing (an
  // exception unwinds through here) must not wait for partners that may never come: it aborts its
  // side instead, and the job ends through MPI_Abort.
  ~NcclGroupImpl() override {
    cudaSetDevice(device_);
    if (std::uncaught_exceptions() > 0) abort_group();
    if (comm_) {
      if (stream_) cudaStreamSynchronize(stream_);
      ncclCommDestroy(comm_);
    }
    if (stream_) cudaStreamDestroy(stream_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int device() const override { return device_; }

  void allreduce(void* device_data, int64_t count, DType dtype, ReduceOp op) override {
    allreduce_async(device_data, count, dtype, op);
    wait();
  }

  void allreduce_async(void* device_data, int64_t count, DType dtype, ReduceOp op) override {
    if (!comm_) fail("NCCL: rank {}'s group was aborted after an earlier failure", rank_);
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_nccl(ncclAllReduce(device_data, device_data, static_cast<size_t>(count), nccl_type(dtype), nccl_op(op), comm_, stream_),
               "ncclAllReduce");
  }

  // Polls rather than blocking in cudaStreamSynchronize: a collective whose peer or network
  // failed never completes, and NCCL reports that only through ncclCommGetAsyncError.
  void wait() override {
    if (std::uncaught_exceptions() > 0) abort_group();  // a failing rank's destructors: as ~NcclGroupImpl
    if (!comm_) return;  // aborted after a failure: its collectives were cancelled
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    for (;;) {
      const cudaError_t done = cudaStreamQuery(stream_);
      if (done == cudaSuccess) return;
      if (done != cudaErrorNotReady) check_cuda_call(done, "cudaStreamQuery on NCCL's stream");
      ncclResult_t async = ncclSuccess;
      check_nccl(ncclCommGetAsyncError(comm_, &async), "ncclCommGetAsyncError");
      if (async != ncclSuccess && async != ncclInProgress) {
        const std::string text = nccl_error_text(async, comm_);
        abort_group();  // the queued collectives will not complete: release the stream
        fail("NCCL collective failed on rank {} (cuda:{}): {}", rank_, device_, text);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }

  void broadcast(void* device_data, int64_t count, DType dtype, int root) override {
    if (!comm_) fail("NCCL: rank {}'s group was aborted after an earlier failure", rank_);
    check_cuda_call(cudaSetDevice(device_), "cudaSetDevice");
    check_nccl(ncclBroadcast(device_data, device_data, static_cast<size_t>(count), nccl_type(dtype), root, comm_, stream_),
               "ncclBroadcast");
    wait();
  }

 private:
  // Cancels what is queued on this rank without waiting for the others; the group is unusable after.
  void abort_group() {
    if (!comm_) return;
    ncclCommAbort(comm_);
    comm_ = nullptr;
  }

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

bool ranks_have_distinct_gpus(Communicator& host, int device) {
  char bus_id[64] = {};
  check_cuda_call(cudaDeviceGetPCIBusId(bus_id, sizeof(bus_id), device), "cudaDeviceGetPCIBusId");
  char host_name[256] = {};
  gethostname(host_name, sizeof(host_name) - 1);
  std::string boot_id;  // containers may share a host name; the kernel's boot id tells machines apart
  std::getline(std::ifstream("/proc/sys/kernel/random/boot_id"), boot_id);
  // 48 bits of the name's hash: an integer a double holds exactly.
  const uint64_t hash = std::hash<std::string>{}(fmt::format("{}|{}|{}", host_name, boot_id, bus_id)) >> 16;
  return distinct_over_ranks(host, static_cast<double>(hash));
}

bool nccl_built() { return true; }

#else

std::string nccl_library_version() {
  return "not built (needs MPI and the CUDA backend, and nccl.h and libnccl.so under the CUDA toolkit)";
}

bool nccl_built() { return false; }

std::unique_ptr<NcclGroup> make_nccl_group(Communicator&, int) {
  fail("this build of gaze has no NCCL: it needs MPI, the CUDA backend and NCCL under the CUDA toolkit (docs/distributed.md)");
}

bool ranks_have_distinct_gpus(Communicator&, int) {
  fail("this build of gaze has no NCCL, so no NCCL group to check the GPUs for (docs/distributed.md)");
}

#endif

}  // namespace gaze
