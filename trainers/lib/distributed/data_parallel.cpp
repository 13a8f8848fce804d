#include "trainers/lib/distributed/data_parallel.h"

#include "autograd/hooks.h"
#include "autograd/shape_ops.h"
#include "framework/error.h"

namespace gaze {

namespace {

// The `elements` values of one gradient at `offset` in its bucket: a view sharing the bucket's memory.
Tensor bucket_view(const Tensor& buffer, int64_t offset, int64_t elements) { return narrow(buffer, 0, offset, elements); }

// Broadcasts a parameter or buffer from rank 0, through a host copy when it lives on a GPU.
void broadcast_tensor(Communicator& communicator, const std::string& name, Tensor& tensor) {
  if (tensor.dtype() != DType::f32 && tensor.dtype() != DType::f64) return;  // integer counters stay local
  Tensor host = tensor.device().is_cpu() && tensor.is_contiguous() ? tensor : contiguous(tensor.to(Device::cpu()));
  communicator.broadcast(host, 0);
  if (host.storage() != tensor.storage() || !tensor.is_contiguous()) tensor.copy_(host.to(tensor.device()));
}

}  // namespace

DataParallel::DataParallel(Module& model, Communicator& communicator, std::unique_ptr<BucketAverager> averager, int64_t bucket_bytes)
    : model_(model), communicator_(communicator), averager_(std::move(averager)) {
  if (!averager_) fail("DataParallel: no bucket averager given");
  if (bucket_bytes <= 0) fail("train.bucket_mb must be positive (it is the size of the gradient buckets averaged at once)");
  std::vector<std::pair<std::string, Tensor>> parameters = model.named_parameters();
  // The backward finishes the last layers first: buckets from the end, so the first bucket is
  // ready early.
  int64_t bucket_used = 0;
  for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
    Tensor& p = it->second;
    if (!p.requires_grad()) continue;
    if (p.dtype() != DType::f32 && p.dtype() != DType::f64)
      fail("data-parallel training averages f32 or f64 gradients; parameter {} is {}", it->first, dtype_name(p.dtype()));
    const int64_t bytes = p.numel() * static_cast<int64_t>(dtype_size(p.dtype()));
    const bool new_bucket = buckets_.empty() || bucket_used + bytes > bucket_bytes ||
                            slots_[buckets_.back().slots.front()].parameter.dtype() != p.dtype();
    if (new_bucket) buckets_.push_back(Bucket{}), bucket_used = 0;
    Slot slot{.parameter = p, .bucket = static_cast<int64_t>(buckets_.size()) - 1, .offset = 0, .ready = false, .hook = 0};
    Bucket& bucket = buckets_.back();
    for (int64_t other : bucket.slots) slot.offset += slots_[other].parameter.numel();
    bucket.slots.push_back(static_cast<int64_t>(slots_.size()));
    bucket_used += bytes;
    slots_.push_back(slot);
  }
  for (Bucket& bucket : buckets_) {
    int64_t elements = 0;
    for (int64_t s : bucket.slots) elements += slots_[s].parameter.numel();
    bucket.buffer = zeros({elements}, slots_[bucket.slots.front()].parameter.dtype()).to(averager_->device());
  }
  for (size_t i = 0; i < slots_.size(); ++i)
    slots_[i].hook = autograd::register_post_accumulate_grad_hook(
        slots_[i].parameter, [this, i](const Tensor&) { on_gradient_final(static_cast<int64_t>(i)); });
}

DataParallel::~DataParallel() {
  try {
    averager_->wait();
  } catch (...) {
    // The run is failing already; its own error is the one reported.
  }
  for (Slot& slot : slots_) autograd::remove_post_accumulate_grad_hook(slot.parameter, slot.hook);
}

void DataParallel::broadcast_from_rank0() {
  for (auto& [name, p] : model_.named_parameters()) broadcast_tensor(communicator_, name, p);
  broadcast_buffers();
}

void DataParallel::broadcast_buffers() {
  for (auto& [name, b] : model_.named_buffers()) broadcast_tensor(communicator_, name, b);
}

void DataParallel::on_gradient_final(int64_t index) {
  Slot& slot = slots_[index];
  Bucket& bucket = buckets_[slot.bucket];
  if (slot.ready || bucket.started) return;  // a second backward before finish_gradients: the first one's counts
  const Tensor grad = slot.parameter.grad();
  const Tensor flat = reshape(grad.device() == bucket.buffer.device() ? grad : grad.to(bucket.buffer.device()), {grad.numel()});
  bucket_view(bucket.buffer, slot.offset, grad.numel()).copy_(flat);
  slot.ready = true;
  bucket.ready += 1;
  start_ready_buckets();
}

void DataParallel::start_ready_buckets() {
  while (next_to_start_ < static_cast<int64_t>(buckets_.size())) {
    Bucket& bucket = buckets_[next_to_start_];
    if (bucket.ready < static_cast<int64_t>(bucket.slots.size())) return;
    bucket.started = true;
    averager_->start(bucket.buffer);
    next_to_start_ += 1;
  }
}

void DataParallel::finish_gradients() {
  // Parameters this pass did not reach contribute zeros, so every rank reduces the same buckets.
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (slot.ready) continue;
    Bucket& bucket = buckets_[slot.bucket];
    bucket_view(bucket.buffer, slot.offset, slot.parameter.numel()).fill_(0.0);
    slot.ready = true;
    bucket.ready += 1;
  }
  start_ready_buckets();
  averager_->wait();
  for (Slot& slot : slots_) {
    Tensor grad = slot.parameter.grad();
    if (!grad.defined()) continue;  // no gradient here: the optimizer skips it, as it would alone
    const Tensor average = reshape(bucket_view(buckets_[slot.bucket].buffer, slot.offset, grad.numel()), grad.shape());
    grad.copy_(average.device() == grad.device() ? average : average.to(grad.device()));
  }
  reset();
}

void DataParallel::reset() {
  for (Slot& slot : slots_) slot.ready = false;
  for (Bucket& bucket : buckets_) bucket.ready = 0, bucket.started = false;
  next_to_start_ = 0;
}

}  // namespace gaze
