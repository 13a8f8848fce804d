#include "trainers/lib/data/loader.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <utility>

#include "framework/error.h"
#include "trainers/lib/data/image_set_source.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

DataLoader::DataLoader(const ExampleSource& source, LoaderOptions options) : source_(source), options_(std::move(options)) {
  if (options_.batch_size <= 0) fail("DataLoader: batch_size {} must be positive", options_.batch_size);
  if (options_.prefetch < 0) fail("DataLoader: prefetch {} must be >= 0 (0 builds batches on the caller's thread)", options_.prefetch);
  if (options_.workers < 1) fail("DataLoader: workers {} must be >= 1 (prefetch 0 builds batches on the caller's thread)", options_.workers);
  set_epoch_length();
}

DataLoader::DataLoader(const ImageSet& set, LoaderOptions options)
    : owned_(std::make_unique<ImageSetSource>(set, options.transforms)), source_(*owned_), options_(std::move(options)) {
  if (options_.batch_size <= 0) fail("DataLoader: batch_size {} must be positive", options_.batch_size);
  if (options_.prefetch < 0) fail("DataLoader: prefetch {} must be >= 0 (0 builds batches on the caller's thread)", options_.prefetch);
  if (options_.workers < 1) fail("DataLoader: workers {} must be >= 1 (prefetch 0 builds batches on the caller's thread)", options_.workers);
  set_epoch_length();
}

DataLoader::~DataLoader() { stop_worker(); }

void DataLoader::set_epoch_length() {
  if (options_.shard_count < 1 || options_.shard_rank < 0 || options_.shard_rank >= options_.shard_count)
    fail("DataLoader: shard {} of {} does not exist (0 <= shard_rank < shard_count)", options_.shard_rank, options_.shard_count);
  full_length_ = options_.order ? static_cast<int64_t>(options_.order(0).size()) : source_.size();
  epoch_length_ = (full_length_ + options_.shard_count - 1) / options_.shard_count;
}

int64_t DataLoader::batches_per_epoch() const {
  const int64_t n = epoch_length_;
  const int64_t b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> DataLoader::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order = unsharded_order(epoch);
  if (options_.shard_count == 1) return order;
  return shard_order(order, options_.shard_rank, options_.shard_count);
}

std::vector<int64_t> DataLoader::unsharded_order(int64_t epoch) const {
  if (options_.order) {
    std::vector<int64_t> order = options_.order(epoch);
    if (static_cast<int64_t>(order.size()) != full_length_)
      fail("DataLoader: epoch {}'s order has {} examples, epoch 0's had {}: every epoch must have the same length", epoch, order.size(),
           full_length_);
    return order;
  }
  if (!options_.shuffle) {
    std::vector<int64_t> order(static_cast<size_t>(source_.size()));
    std::iota(order.begin(), order.end(), int64_t{0});
    return order;
  }
  Generator rng(derive_seed(SeedPurpose::epoch_order, {options_.seed, static_cast<uint64_t>(epoch)}));
  return random_permutation(source_.size(), rng);
}

Batch DataLoader::build_from_order(const std::vector<int64_t>& order, int64_t epoch, int64_t b) const {
  const int64_t first = b * options_.batch_size;
  const int64_t last = std::min<int64_t>(first + options_.batch_size, static_cast<int64_t>(order.size()));
  const std::vector<int64_t> indices(order.begin() + first, order.begin() + last);
  // A shard's batch b draws its augmentation as batch b * shards + shard would: each rank its
  // own stream, and one process (one shard) exactly as before.
  const int64_t augment_index = b * options_.shard_count + options_.shard_rank;
  Generator rng(derive_seed(SeedPurpose::batch_augment,
                            {options_.seed, static_cast<uint64_t>(epoch), static_cast<uint64_t>(augment_index)}));
  Shape input_shape = source_.input_shape(), target_shape = source_.target_shape();
  const int64_t input_size = numel(input_shape), target_size = numel(target_shape);
  const auto count = static_cast<int64_t>(indices.size());
  input_shape.insert(input_shape.begin(), count);
  target_shape.insert(target_shape.begin(), count);
  Batch batch;
  batch.images = empty(input_shape, DType::f32);
  batch.labels = empty(target_shape, DType::i64);
  float* inputs = batch.images.data<float>();
  int64_t* targets = batch.labels.data<int64_t>();
  for (int64_t k = 0; k < count; ++k) {
    const int64_t i = indices[static_cast<size_t>(k)];
    if (i < 0 || i >= source_.size()) fail("DataLoader: example {} is outside the set of {}", i, source_.size());
    source_.example(i, options_.augment ? &rng : nullptr, inputs + k * input_size, targets + k * target_size);
  }
  batch.index = b;
  return batch;
}

Batch DataLoader::build_batch(int64_t epoch, int64_t b) const {
  if (b < 0 || b >= batches_per_epoch()) {
    fail("DataLoader::build_batch: batch {} is outside the epoch's {} batches", b, batches_per_epoch());
  }
  return build_from_order(epoch_order(epoch), epoch, b);
}

void DataLoader::start_epoch(int64_t epoch, int64_t skip_batches) {
  const int64_t count = batches_per_epoch();
  if (skip_batches < 0 || skip_batches > count) {
    fail("DataLoader::start_epoch: cannot skip {} batches of an epoch of {}; a resumed step must lie within the epoch "
         "(was the batch size or the data changed since the checkpoint?)",
         skip_batches, count);
  }
  stop_worker();
  started_ = true;
  epoch_ = epoch;
  next_batch_ = skip_batches;
  end_batch_ = count;
  order_ = epoch_order(epoch);
  ready_.clear();
  stop_ = false;
  failed_ = false;
  error_batch_ = -1;
  error_ = nullptr;
  if (options_.prefetch == 0) return;
  for (int64_t k = 0; k < options_.workers; ++k)
    workers_.emplace_back([this, epoch, first = skip_batches + k, count] { worker_loop(epoch, first, count); });
}

int64_t DataLoader::ahead_limit() const { return options_.prefetch + options_.workers - 1; }

void DataLoader::worker_loop(int64_t epoch, int64_t first, int64_t end) {
  for (int64_t b = first; b < end; b += options_.workers) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || b < next_batch_ + ahead_limit(); });
      if (stop_) return;
    }
    try {
      Batch batch = build_from_order(order_, epoch, b);  // outside the lock: the others keep building
      std::lock_guard lock(mutex_);
      ready_.emplace(b, std::move(batch));
    } catch (...) {
      std::lock_guard lock(mutex_);
      if (error_batch_ < 0 || b < error_batch_) {
        error_batch_ = b;
        error_ = std::current_exception();
      }
      changed_.notify_all();
      return;
    }
    changed_.notify_all();
  }
}

bool DataLoader::next(Batch& batch) {
  if (!started_) fail("DataLoader::next: no epoch started; call start_epoch(epoch) first");
  const auto start = std::chrono::steady_clock::now();
  if (options_.prefetch == 0) {
    if (next_batch_ >= end_batch_) return false;
    batch = build_from_order(order_, epoch_, next_batch_++);
    batch.wait_seconds = seconds_since(start);
    return true;
  }
  std::unique_lock lock(mutex_);
  if (failed_ || next_batch_ >= end_batch_) return false;
  changed_.wait(lock, [&] { return ready_.count(next_batch_) > 0 || next_batch_ == error_batch_; });
  auto it = ready_.find(next_batch_);
  if (it == ready_.end()) {
    // Rethrown once; the epoch is then over.
    failed_ = true;
    std::exception_ptr error = std::exchange(error_, nullptr);
    std::rethrow_exception(error);
  }
  batch = std::move(it->second);
  ready_.erase(it);
  ++next_batch_;
  changed_.notify_all();
  batch.wait_seconds = seconds_since(start);
  return true;
}

void DataLoader::stop_worker() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

}  // namespace gaze
