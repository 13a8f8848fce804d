// DataLoader: batches of an ExampleSource (Fashion-MNIST images, clips, scenes, tracklets, decoded
// image files) in a seeded order, optionally prepared ahead by background worker threads.
//
// Batches are a pure function of (seed, epoch, batch index): the epoch's order is a permutation
// drawn from a Generator seeded by derive_seed(seed, epoch), and batch b's augmentation from one
// seeded by derive_seed(seed, epoch, b). Nothing comes from shared or carried-over state, so
// prefetching, the number of workers, thread timing and skipping batches on resume cannot change
// what a batch holds: a trainer killed mid-epoch and resumed with start_epoch(epoch, step) sees
// exactly the batches the uninterrupted run saw.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "framework/tensor.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/image_set.h"
#include "trainers/lib/data/transforms.h"

namespace gaze {

struct LoaderOptions {
  int64_t batch_size = 128;
  bool shuffle = true;
  bool drop_last = false;  // drop the last batch when it is smaller than batch_size
  bool augment = false;    // apply the random transforms (training); normalize applies either way
  TransformOptions transforms;  // for the ImageSet constructor only (an ExampleSource applies its own)
  uint64_t seed = 0;
  int64_t prefetch = 2;  // batches prepared ahead by the workers; 0: build on the caller's thread (no workers)
  // Background threads building batches (with prefetch > 0): worker k builds batches k, k + workers,
  // ... of the epoch, each whole, and next() hands them out in order. Several help when decoding
  // files is slower than a training step.
  int64_t workers = 1;
  // The examples an epoch visits, in order (re-ID's PK sampler); every epoch must have the same
  // length. Unset: all examples, shuffled (shuffle) or in order.
  std::function<std::vector<int64_t>(int64_t epoch)> order;
  // Data-parallel training: this loader visits shard `shard_rank` of `shard_count` of each
  // epoch's order (shard_order in sampling.h: padded by repetition, then every shard_count-th).
  int64_t shard_rank = 0, shard_count = 1;
};

struct Batch {
  Tensor images, labels;    // the inputs f32 [B, ...input_shape], the targets i64 [B, ...target_shape]
  int64_t index = 0;        // the batch's position in its epoch
  double wait_seconds = 0;  // how long next() blocked for it (the trainer's "data time")
};

class DataLoader {
 public:
  // Keeps a reference to `source`: it must outlive the loader.
  DataLoader(const ExampleSource& source, LoaderOptions options);
  // An ImageSet with options.transforms (an ImageSetSource the loader owns); `set` must outlive it.
  DataLoader(const ImageSet& set, LoaderOptions options);
  ~DataLoader();
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  int64_t batches_per_epoch() const;
  const LoaderOptions& options() const { return options_; }

  // Begins `epoch` (stopping and joining the previous one's thread). The first `skip_batches`
  // batches are skipped without being built, to resume mid-epoch; skip_batches may equal
  // batches_per_epoch() (the epoch had ended).
  void start_epoch(int64_t epoch, int64_t skip_batches = 0);
  // The next batch of the epoch; false at its end. An error while building a batch on a worker
  // thread is rethrown here, when that batch's turn comes.
  bool next(Batch& batch);

  // Batch `b` of `epoch`, built on the calling thread: what next() returns for it.
  Batch build_batch(int64_t epoch, int64_t b) const;
  // The order in which `epoch` visits the examples (this loader's shard of it).
  std::vector<int64_t> epoch_order(int64_t epoch) const;

 private:
  Batch build_from_order(const std::vector<int64_t>& order, int64_t epoch, int64_t b) const;
  std::vector<int64_t> unsharded_order(int64_t epoch) const;
  void set_epoch_length();
  void stop_worker();
  void worker_loop(int64_t epoch, int64_t first, int64_t end);
  int64_t ahead_limit() const;

  std::unique_ptr<ExampleSource> owned_;  // the ImageSet constructor's source
  const ExampleSource& source_;
  LoaderOptions options_;
  int64_t full_length_ = 0;   // examples per epoch, all shards
  int64_t epoch_length_ = 0;  // examples per epoch, this shard

  bool started_ = false;
  int64_t epoch_ = 0;
  int64_t next_batch_ = 0;  // the next batch to hand out (or, with prefetch 0, to build)
  int64_t end_batch_ = 0;   // the epoch's batch count
  std::vector<int64_t> order_;

  // Worker threads (prefetch > 0): worker k builds batches first + k, first + k + workers, ... into
  // ready_, each at most ahead_limit() batches past next_batch_.
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable changed_;  // ready_ gained or lost a batch, a worker failed, or stop_
  std::map<int64_t, Batch> ready_;
  bool stop_ = false;
  bool failed_ = false;          // an error was rethrown: the epoch is over
  int64_t error_batch_ = -1;     // the first batch whose building failed, -1: none
  std::exception_ptr error_;
};

}  // namespace gaze
