// Data-parallel training's pieces that one process can check: the shards of an epoch, the
// gradient buckets, and synchronized BatchNorm's composite against the BatchNorm kernel. Two ranks
// under mpirun are checked end to end by tests/distributed/two_ranks_match_one_rank.cmake.
#include <algorithm>
#include <set>

#include "layers/batch_norm.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "support/test_support.h"
#include "trainers/lib/data/sampling.h"
#include "trainers/lib/distributed/cross_rank_ops.h"
#include "trainers/lib/distributed/data_parallel.h"
#include "trainers/lib/distributed/nccl_communicator.h"
#include "trainers/lib/distributed/rank_environment.h"

using namespace gaze;
using namespace gaze::test;

TEST_CASE("shard_order pads by repetition, and batch b of every shard is batch b of one process with a batch shards times larger") {
  std::vector<int64_t> order{9, 3, 7, 1, 0, 8, 2, 6, 4, 5};  // 10 examples, 4 shards: padded to 12 with 9 and 3
  std::vector<std::vector<int64_t>> shards;
  for (int64_t r = 0; r < 4; ++r) shards.push_back(shard_order(order, r, 4));
  CHECK(shards[0] == std::vector<int64_t>{9, 0, 4});
  CHECK(shards[1] == std::vector<int64_t>{3, 8, 5});
  CHECK(shards[2] == std::vector<int64_t>{7, 2, 9});
  CHECK(shards[3] == std::vector<int64_t>{1, 6, 3});
  // Two shards of an even order, batch 2 each: their batch b together is batch b (of 4) of the whole.
  std::vector<int64_t> even{5, 2, 7, 0, 1, 6, 3, 4};
  const std::vector<int64_t> a = shard_order(even, 0, 2), b = shard_order(even, 1, 2);
  for (int64_t batch = 0; batch < 2; ++batch) {
    std::multiset<int64_t> ranks{a[2 * batch], a[2 * batch + 1], b[2 * batch], b[2 * batch + 1]};
    std::multiset<int64_t> single(even.begin() + 4 * batch, even.begin() + 4 * batch + 4);
    CHECK(ranks == single);
  }
  CHECK(shard_order(order, 0, 1) == order);
}

TEST_CASE("DataParallel on one process buckets the parameters from the last and leaves the gradients as they are") {
  auto model = std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      std::make_shared<Linear>(4, 8), std::make_shared<Linear>(8, 3)});
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  Tensor x = randn({5, 4});
  Tensor loss_alone = sum((*model)(x) * (*model)(x));
  loss_alone.backward();
  std::vector<std::vector<float>> expected;
  for (const Tensor& p : model->parameters()) expected.push_back(p.grad().to_vector<float>());
  model->zero_grad();
  {
    // Buckets of 128 bytes, from the last parameter: the last layer's bias and weight (3 + 24
    // floats, 108 bytes), then the first layer's bias (8 floats), then its weight (32 floats),
    // which does not fit beside the bias.
    DataParallel parallel(*model, *single, make_host_bucket_averager(*single), 128);
    CHECK(parallel.bucket_count() == 3);
    parallel.broadcast_from_rank0();
    Tensor loss = sum((*model)(x) * (*model)(x));
    loss.backward();
    parallel.finish_gradients();
    const std::vector<Tensor> parameters = model->parameters();
    for (size_t i = 0; i < parameters.size(); ++i) CHECK(parameters[i].grad().to_vector<float>() == expected[i]);
  }
  // Its hooks went with it: a backward without it still works.
  model->zero_grad();
  sum((*model)(x)).backward();
  CHECK(model->parameters()[0].grad().defined());
}

namespace {

// Stands in for a second rank whose gradients are all zero: the mean of each bucket is half of
// it. Records the buckets' sizes in the order they were started.
class HalvingAverager final : public BucketAverager {
 public:
  explicit HalvingAverager(std::vector<int64_t>& started) : started_(started) {}
  Device device() const override { return Device::cpu(); }
  void start(Tensor& bucket) override {
    started_.push_back(bucket.numel());
    float* values = bucket.data<float>();
    for (int64_t i = 0; i < bucket.numel(); ++i) values[i] /= 2;
  }
  void wait() override {}
  std::string description() const override { return "halving"; }

 private:
  std::vector<int64_t>& started_;
};

}  // namespace

TEST_CASE("DataParallel hands every bucket to its averager once, last layer first, and writes the averages into each gradient") {
  auto model = std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{
      std::make_shared<Linear>(4, 8), std::make_shared<Linear>(8, 3)});
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  Tensor x = randn({5, 4});
  sum((*model)(x) * (*model)(x)).backward();
  std::vector<std::vector<float>> expected;
  for (const Tensor& p : model->parameters()) expected.push_back(p.grad().to_vector<float>());
  std::vector<int64_t> started;
  DataParallel parallel(*model, *single, std::make_unique<HalvingAverager>(started), 128);
  for (int step = 0; step < 2; ++step) {  // the buckets are reused: the second step must start them again
    model->zero_grad();
    started.clear();
    sum((*model)(x) * (*model)(x)).backward();
    // The first two buckets (last layer; first layer's bias) are full during the backward; the
    // third (first layer's weight) too, since its gradient is final before backward returns.
    CHECK(started == std::vector<int64_t>{27, 8, 32});
    parallel.finish_gradients();
    CHECK(started.size() == 3);
    const std::vector<Tensor> parameters = model->parameters();
    for (size_t i = 0; i < parameters.size(); ++i) {
      const std::vector<float> grad = parameters[i].grad().to_vector<float>();
      REQUIRE(grad.size() == expected[i].size());
      for (size_t k = 0; k < grad.size(); ++k) CHECK(grad[k] == expected[i][k] / 2);
    }
  }
}

TEST_CASE("DataParallel averages a parameter the backward did not reach as zeros, and leaves it without a gradient") {
  auto first = std::make_shared<Linear>(4, 8), unused = std::make_shared<Linear>(8, 3);
  auto model = std::make_shared<Sequential>(std::initializer_list<std::shared_ptr<Module>>{first, unused});
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  std::vector<int64_t> started;
  DataParallel parallel(*model, *single, std::make_unique<HalvingAverager>(started), 1 << 20);  // one bucket
  sum((*first)(randn({2, 4}))).backward();
  CHECK(started.empty());  // the unused layer's gradients never became final
  parallel.finish_gradients();
  CHECK(started == std::vector<int64_t>{8 * 4 + 8 + 3 * 8 + 3});
  CHECK(!unused->parameters()[0].grad().defined());
  CHECK(first->parameters()[0].grad().defined());
}

TEST_CASE("a data-parallel rank given train.device cuda trains on the GPU of its local rank; other devices stay as given") {
  CHECK(device_for_local_rank("cuda", 0, 2) == "cuda:0");
  CHECK(device_for_local_rank("cuda", 3, 2) == "cuda:1");  // more ranks than GPUs: they share, round robin
  CHECK(device_for_local_rank("cuda:1", 0, 2) == "cuda:1");
  CHECK(device_for_local_rank("cpu", 1, 2) == "cpu");
  CHECK(device_for_local_rank("cuda", 1, 0) == "cuda");  // no GPU: the device's own error comes later
}

TEST_CASE("GPU identities are compared over the ranks, and a CPU model's gradients are averaged on the host") {
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  CHECK(distinct_over_ranks(*single, 123456789.0));
  CHECK(distinct_over_ranks(*single, 0.0));
  std::unique_ptr<BucketAverager> on_cpu = make_bucket_averager(*single, Device::cpu());
  CHECK(on_cpu->device() == Device::cpu());
  CHECK(on_cpu->description() == "MPI_Allreduce on host buffers");
  CHECK(make_host_bucket_averager(*single, "not NCCL: this build has none")->description() ==
        "MPI_Allreduce on host buffers (not NCCL: this build has none)");
}

TEST_CASE("synchronized BatchNorm over one rank computes BatchNorm's output, gradients and running statistics") {
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  for (bool synchronized : {false, true}) {
    CAPTURE(synchronized);
    BatchNorm plain(BatchNormOptions{.channels = 3});
    BatchNorm synced(BatchNormOptions{.channels = 3});
    plain.to(DType::f64), synced.to(DType::f64);
    if (synchronized) CHECK(synchronize_batch_norms(synced, *single) == 1);
    Tensor x1 = leaf({4, 3, 5, 2}, 17, 2.0), x2 = leaf({4, 3, 5, 2}, 17, 2.0);
    Tensor upstream = randn({4, 3, 5, 2}, DType::f64);
    sum(plain(x1) * upstream).backward();
    sum(synced(x2) * upstream).backward();
    check_close(x2.grad(), x1.grad(), 1e-10);
    check_close(synced.weight.grad(), plain.weight.grad(), 1e-10);
    check_close(synced.bias.grad(), plain.bias.grad(), 1e-10);
    check_close(synced.running_mean, plain.running_mean, 1e-12);
    check_close(synced.running_var, plain.running_var, 1e-12);
  }
}

TEST_CASE("sum_over_ranks on one rank is the identity, forward and backward") {
  std::unique_ptr<Communicator> single = make_single_process_communicator();
  Tensor x = leaf({2, 3}, 4);
  Tensor y = sum_over_ranks(*single, x);
  check_close(y, x.to_vector<double>(), 0);
  sum(y * 3.0).backward();
  check_close(x.grad(), std::vector<double>(6, 3.0), 0);
}
