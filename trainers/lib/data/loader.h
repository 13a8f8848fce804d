// DataLoader: batches of an ExampleSource (Fashion-MNIST images, clips, scenes, tracklets) in a
// seeded order, optionally prepared ahead on one background thread.
//
// Batches are a pure function of (seed, epoch, batch index): the epoch's order is a permutation
// drawn from a Generator seeded by derive_seed(seed, epoch), and batch b's augmentation from one
// seeded by derive_seed(seed, epoch, b). Nothing comes from shared or carried-over state, so
// prefetching, thread timing and skipping batches on resume cannot change what a batch holds: a
// trainer killed mid-epoch and resumed with start_epoch(epoch, step) sees exactly the batches the
// uninterrupted run saw.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
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
  int64_t prefetch = 2;  // batches prepared ahead on ONE background thread; 0: build on the caller's thread
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
  // The next batch of the epoch; false at its end. An error while building a batch on the
  // background thread is rethrown here.
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

  std::unique_ptr<ExampleSource> owned_;  // the ImageSet constructor's source
  const ExampleSource& source_;
  LoaderOptions options_;
  int64_t full_length_ = 0;   // examples per epoch, all shards
  int64_t epoch_length_ = 0;  // examples per epoch, this shard

  bool started_ = false;
  int64_t epoch_ = 0;
  int64_t next_batch_ = 0;  // the next batch to build (prefetch 0)
  std::vector<int64_t> order_;

  // Background thread (prefetch > 0): produces batches next_batch_..end into queue_.
  std::thread worker_;
  std::mutex mutex_;
  std::condition_variable changed_;  // queue_ gained or lost a batch, the worker ended, or stop_
  std::deque<Batch> queue_;
  bool stop_ = false;
  bool worker_done_ = false;
  std::exception_ptr error_;
};

}  // namespace gaze
