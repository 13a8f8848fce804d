// Evaluation spread over the ranks of a data-parallel run that yields exactly the metrics of one
// process. The batches are one process's (data.batch_size examples in order,
// the last one short); rank r evaluates batches r, r + ranks, r + 2 ranks, ... Nothing is padded
// (PyTorch's DistributedSampler repeats examples to even out the shards, which would count them
// twice), so a rank may have one batch fewer than another. Each evaluated batch becomes a record
// of doubles: what the metrics need from it (logits, labels, a summed loss). Every rank then
// receives every batch's record, bit for bit, in batch order, and accumulates the metrics as one
// process does, in the same order: float sums round the same way and the results are equal.
#pragma once
#include <functional>
#include <vector>

#include "trainers/lib/config/config.h"
#include "trainers/lib/data/example_source.h"
#include "trainers/lib/data/loader.h"
#include "trainers/lib/distributed/communicator.h"

namespace gaze {

using BatchRecord = std::vector<double>;

// Every rank must call it with the same source and config. `evaluate_batch(batch, first)` runs on
// this rank's batches (without gradient, on train.device; `first` is the index of the batch's
// first example in `source`); the result holds every batch's record, in batch order, on every rank.
std::vector<BatchRecord> evaluate_sharded(const ExampleSource& source, const Config& config, Communicator& ranks,
                                          const std::function<BatchRecord(const Batch& batch, int64_t first)>& evaluate_batch);

// The exchange behind evaluate_sharded, for work of any kind cut the same way: item i belongs to
// rank i mod ranks, which has filled records[i]; every rank returns with every item's record.
std::vector<BatchRecord> share_records(std::vector<BatchRecord> records, Communicator& ranks);

// Appends a tensor's values (any device, f32/f64/i64) to a record; take_values reads `count` of
// them back from `position`, moving it on.
void append_values(BatchRecord& record, const Tensor& values);
std::vector<double> take_values(const BatchRecord& record, size_t& position, int64_t count);

}  // namespace gaze
