#include "trainers/lib/distributed/communicator.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "framework/error.h"
#include "gaze/build_config.h"
#include "trainers/lib/distributed/mpi_communicator.h"

namespace gaze {

Communicator::~Communicator() { stop_communication_thread(); }

void Communicator::stop_communication_thread() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Communicator::allreduce_async(void* data, int64_t count, DType dtype, ReduceOp op) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!thread_.joinable()) thread_ = std::thread([this] { communication_loop(); });
  work_.push_back([this, data, count, dtype, op] { allreduce(data, count, dtype, op); });
  unfinished_ += 1;
  changed_.notify_all();
}

void Communicator::allreduce_in_order(void* data, int64_t count, DType dtype, ReduceOp op) {
  bool threaded = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threaded = thread_.joinable();
  }
  if (!threaded) return allreduce(data, count, dtype, op);
  allreduce_async(data, count, dtype, op);
  wait_all();
}

void Communicator::wait_all() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return unfinished_ == 0; });
  if (error_) {
    std::exception_ptr error = error_;
    error_ = nullptr;
    std::rethrow_exception(error);
  }
}

void Communicator::communication_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    changed_.wait(lock, [this] { return stop_ || !work_.empty(); });
    if (work_.empty()) return;  // stopping, nothing left
    std::function<void()> job = std::move(work_.front());
    work_.pop_front();
    lock.unlock();
    std::exception_ptr error;
    try {
      job();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !error_) error_ = error;
    unfinished_ -= 1;
    changed_.notify_all();
  }
}

namespace {

void check_host_tensor(const Tensor& tensor, const char* what) {
  if (!tensor.defined() || !tensor.device().is_cpu() || !tensor.is_contiguous() ||
      (tensor.dtype() != DType::f32 && tensor.dtype() != DType::f64))
    fail("{}: needs a contiguous CPU tensor of f32 or f64 (got {}); copy it with contiguous(t.to(Device::cpu())) first", what,
         tensor.defined() ? fmt::format("{} {} on {}", dtype_name(tensor.dtype()), shape_str(tensor.shape()), tensor.device().str())
                          : std::string("an undefined tensor"));
}

void* host_data(Tensor& tensor) {
  return tensor.dtype() == DType::f32 ? static_cast<void*>(tensor.data<float>()) : static_cast<void*>(tensor.data<double>());
}

}  // namespace

void Communicator::broadcast(Tensor& tensor, int root) {
  check_host_tensor(tensor, "broadcast");
  broadcast(host_data(tensor), tensor.numel(), tensor.dtype(), root);
}

void Communicator::allreduce(Tensor& tensor, ReduceOp op) {
  check_host_tensor(tensor, "allreduce");
  allreduce(host_data(tensor), tensor.numel(), tensor.dtype(), op);
}

namespace {

// One process: every collective leaves the data as it is (the sum and the mean over one rank).
class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  int local_rank() const override { return 0; }
  int local_size() const override { return 1; }
  std::string description() const override { return "single process"; }
  void broadcast(void*, int64_t, DType, int) override {}
  void allreduce(void*, int64_t, DType, ReduceOp) override {}
  void barrier() override {}
  [[noreturn]] void abort(int status) override { std::_Exit(status); }
};

int environment_integer(const char* name, int otherwise) {
  const char* value = std::getenv(name);
  if (!value || !*value) return otherwise;
  char* end = nullptr;
  const long parsed = std::strtol(value, &end, 10);
  return *end == '\0' && parsed > 0 ? static_cast<int>(parsed) : otherwise;
}

struct World {
  std::unique_ptr<Communicator> communicator;
};

World& world_storage() {
  static World world;
  return world;
}

}  // namespace

std::unique_ptr<Communicator> make_single_process_communicator() { return std::make_unique<SingleProcessCommunicator>(); }

bool launched_with_several_ranks() {
  return environment_integer("OMPI_COMM_WORLD_SIZE", environment_integer("PMIX_SIZE", 1)) > 1;
}

int launcher_local_size() { return environment_integer("OMPI_COMM_WORLD_LOCAL_SIZE", 1); }

Communicator& world(const std::string& distributed) {
  World& w = world_storage();
  if (w.communicator) return *w.communicator;
  if (distributed != "auto" && distributed != "off")
    fail("train.distributed is '{}'; it must be auto (several ranks when launched by mpirun with -np > 1) or off", distributed);
  if (distributed == "auto" && launched_with_several_ranks()) {
#if GAZE_HAVE_MPI
    w.communicator = make_mpi_communicator();
#else
    fail("this process was launched by mpirun as one of {} ranks, but this build of gaze has no MPI: install libopenmpi-dev "
         "and openmpi-bin (scripts/install-deps.sh) and rebuild, or run one process (train.distributed: off)",
         environment_integer("OMPI_COMM_WORLD_SIZE", 2));
#endif
  } else {
    w.communicator = make_single_process_communicator();
  }
  return *w.communicator;
}

bool distributed_run() {
  const World& w = world_storage();
  return w.communicator && w.communicator->size() > 1;
}

std::string mpi_library_version() {
#if GAZE_HAVE_MPI
  return mpi_version_string();
#else
  return "not built (GAZE_WITH_MPI off or libopenmpi-dev missing)";
#endif
}

}  // namespace gaze
