#include "trainers/tasks/sharded_evaluation.h"

#include <algorithm>

#include "autograd/grad_mode.h"
#include "autograd/shape_ops.h"
#include "framework/device.h"
#include "framework/error.h"

namespace gaze {

namespace {

// The examples of this rank's batches, in order: batch b holds examples [b x batch, (b + 1) x batch).
std::vector<int64_t> shard_examples(const std::vector<int64_t>& batches, int64_t batch_size, int64_t examples) {
  std::vector<int64_t> order;
  for (int64_t b : batches)
    for (int64_t i = b * batch_size; i < std::min((b + 1) * batch_size, examples); ++i) order.push_back(i);
  return order;
}

}  // namespace

std::vector<BatchRecord> evaluate_sharded(const ExampleSource& source, const Config& config, Communicator& ranks,
                                          const std::function<BatchRecord(const Batch& batch, int64_t first)>& evaluate_batch) {
  const int64_t examples = source.size(), batch_size = config.integer("data.batch_size");
  const int64_t batches = (examples + batch_size - 1) / batch_size;
  const int rank = ranks.rank(), size = ranks.size();
  std::vector<int64_t> mine;
  for (int64_t b = rank; b < batches; b += size) mine.push_back(b);

  std::vector<BatchRecord> records(static_cast<size_t>(batches));
  if (!mine.empty()) {
    NoGradGuard no_grad;
    // Only this shard's examples, in order: the loader cuts them into exactly the batches one
    // process has (every batch but the last is full, and the last is the last of its shard).
    const std::vector<int64_t> order = shard_examples(mine, batch_size, examples);
    LoaderOptions options{.batch_size = batch_size, .shuffle = false, .drop_last = false, .augment = false, .transforms = {},
                          .seed = 0, .prefetch = config.integer("data.prefetch"), .workers = config.integer("data.workers"),
                          .order = [order](int64_t) { return order; }};
    DataLoader loader(source, options);
    loader.start_epoch(0);
    const Device device = parse_device(config.text("train.device"));
    Batch batch;
    for (int64_t b : mine) {
      if (!loader.next(batch)) fail("sharded evaluation: the loader ended before batch {} of {}", b, batches);
      if (device != Device::cpu()) batch.images = batch.images.to(device), batch.labels = batch.labels.to(device);
      records[static_cast<size_t>(b)] = evaluate_batch(batch, b * batch_size);
    }
  }
  return share_records(std::move(records), ranks);
}

std::vector<BatchRecord> share_records(std::vector<BatchRecord> records, Communicator& ranks) {
  const auto batches = static_cast<int64_t>(records.size());  // "batches": the items, whatever they are
  const int rank = ranks.rank(), size = ranks.size();
  if (size == 1) return records;
  std::vector<int64_t> mine;
  for (int64_t b = rank; b < batches; b += size) mine.push_back(b);

  // Every batch's record length (whole numbers: the f64 sum is exact), then each rank's records,
  // laid end to end, broadcast from that rank: broadcasting copies the bits (summing with zeros
  // elsewhere would turn -0.0 into +0.0).
  std::vector<double> lengths(static_cast<size_t>(batches), 0.0);
  for (int64_t b : mine) lengths[static_cast<size_t>(b)] = static_cast<double>(records[static_cast<size_t>(b)].size());
  ranks.allreduce(lengths.data(), batches, DType::f64, ReduceOp::sum);
  for (int owner = 0; owner < size; ++owner) {
    std::vector<double> packed;
    int64_t total = 0;
    for (int64_t b = owner; b < batches; b += size) total += static_cast<int64_t>(lengths[static_cast<size_t>(b)]);
    if (total == 0) continue;  // every rank knows the lengths, so every rank skips alike
    if (owner == rank) {
      for (int64_t b : mine) packed.insert(packed.end(), records[static_cast<size_t>(b)].begin(), records[static_cast<size_t>(b)].end());
    } else {
      packed.assign(static_cast<size_t>(total), 0.0);
    }
    ranks.broadcast(packed.data(), total, DType::f64, owner);
    if (owner == rank) continue;
    size_t position = 0;
    for (int64_t b = owner; b < batches; b += size) {
      const auto length = static_cast<size_t>(lengths[static_cast<size_t>(b)]);
      records[static_cast<size_t>(b)].assign(packed.begin() + static_cast<std::ptrdiff_t>(position),
                                              packed.begin() + static_cast<std::ptrdiff_t>(position + length));
      position += length;
    }
  }
  return records;
}

void append_values(BatchRecord& record, const Tensor& values) {
  const Tensor host = contiguous(values.to(Device::cpu()));
  if (host.dtype() == DType::f32) {
    for (float v : host.to_vector<float>()) record.push_back(v);
  } else if (host.dtype() == DType::f64) {
    for (double v : host.to_vector<double>()) record.push_back(v);
  } else if (host.dtype() == DType::i64) {
    for (int64_t v : host.to_vector<int64_t>()) record.push_back(static_cast<double>(v));  // labels and ids: well below 2^53
  } else {
    fail("sharded evaluation: a batch record takes f32, f64 or i64 values, not {}", dtype_name(host.dtype()));
  }
}

std::vector<double> take_values(const BatchRecord& record, size_t& position, int64_t count) {
  if (count < 0 || position + static_cast<size_t>(count) > record.size())
    fail("sharded evaluation: a batch record of {} values has no {} values at {}", record.size(), count, position);
  std::vector<double> values(record.begin() + static_cast<std::ptrdiff_t>(position),
                             record.begin() + static_cast<std::ptrdiff_t>(position + static_cast<size_t>(count)));
  position += static_cast<size_t>(count);
  return values;
}

}  // namespace gaze
