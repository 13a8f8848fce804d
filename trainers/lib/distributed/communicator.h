// The processes of a data-parallel run and the collectives between them, as torch.distributed's
// process group: a single-process communicator (every collective is the identity) and Open MPI's
// (mpi_communicator.cpp), chosen by world(). Collectives work in place on contiguous host memory
// of f32 or f64, and reduce with framework/backend.h's ReduceOp (sum, mean, max, min); NCCL's communicator (nccl_communicator.h) does the same on GPU memory.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "framework/tensor.h"

namespace gaze {

class Communicator {
 public:
  virtual ~Communicator();

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual int local_rank() const = 0;  // among the ranks of this machine
  virtual int local_size() const = 0;
  virtual std::string description() const = 0;  // for logs: "single process", "Open MPI 4.1.4, 2 ranks"

  // Collectives: every rank must call the same ones in the same order. `data` is host memory of
  // `count` elements of `dtype` (f32 or f64).
  virtual void broadcast(void* data, int64_t count, DType dtype, int root) = 0;
  virtual void allreduce(void* data, int64_t count, DType dtype, ReduceOp op) = 0;
  virtual void barrier() = 0;
  // Ends every rank of the job (MPI_Abort); a single process exits.
  [[noreturn]] virtual void abort(int status) = 0;

  // allreduce on the communication thread: returns at once; `done` runs there when the reduction
  // has finished. The thread runs its work in the order it was given, so ranks that start the
  // same reductions in the same order agree. wait_all() blocks until all started work is done and
  // rethrows its first error.
  void allreduce_async(void* data, int64_t count, DType dtype, ReduceOp op);
  void wait_all();
  // allreduce behind every reduction started before it, on the communication thread once it has
  // started: a collective of the training thread (synchronized BatchNorm's, during the backward)
  // then keeps its place among the buckets' on every rank.
  void allreduce_in_order(void* data, int64_t count, DType dtype, ReduceOp op);

  // Tensor forms: a contiguous CPU tensor of f32 or f64, in place.
  void broadcast(Tensor& tensor, int root);
  void allreduce(Tensor& tensor, ReduceOp op);

 protected:
  // Finishes the communication thread's work and joins it: a derived communicator calls this
  // first in its destructor, while its collectives can still run.
  void stop_communication_thread();

 private:
  void communication_loop();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> work_;
  int64_t unfinished_ = 0;
  std::exception_ptr error_;
  bool stop_ = false;
  std::thread thread_;  // started by the first allreduce_async
};

// One process: every collective leaves the data as it is (the sum and the mean over one rank).
std::unique_ptr<Communicator> make_single_process_communicator();

// Whether this process was started by mpirun (or srun with Open MPI's PMIx) as one of several ranks.
bool launched_with_several_ranks();
// The ranks on this machine as the launcher says (OMPI_COMM_WORLD_LOCAL_SIZE), 1 when not launched so.
int launcher_local_size();

// The communicator of this process, made on first use: Open MPI's when `distributed` is "auto"
// and the process was launched with several ranks (MPI_Init_thread is called then), else the
// single-process one. A later call returns the same one whatever it passes; "off" first means
// one process even under mpirun (each rank then trains alone: rarely what is wanted).
Communicator& world(const std::string& distributed = "auto");
// Whether world() was made and spans several ranks.
bool distributed_run();

// What `gaze info` shows: the MPI library's version, or why it is absent.
std::string mpi_library_version();

}  // namespace gaze
