#include "framework/caching_allocator.h"

#include <fmt/format.h>

#include "framework/error.h"

namespace gaze {

CachingAllocator::CachingAllocator(RawAllocator& raw, std::string where) : raw_(raw), where_(std::move(where)) {}

CachingAllocator::~CachingAllocator() { empty_cache_locked(); }

size_t CachingAllocator::size_class(size_t nbytes) {
  constexpr size_t kGranule = 512, kSmall = 4096;
  size_t rounded = (std::max<size_t>(nbytes, 1) + kGranule - 1) / kGranule * kGranule;
  if (rounded <= kSmall) return rounded;
  size_t power = 1;
  while (power * 2 <= rounded) power *= 2;
  size_t quarter = power / 4;
  return (rounded + quarter - 1) / quarter * quarter;
}

void* CachingAllocator::allocate(size_t nbytes) {
  size_t bytes = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = free_blocks_.find(bytes);
  void* data = nullptr;
  if (it != free_blocks_.end() && !it->second.empty()) {
    data = it->second.back();
    it->second.pop_back();
    stats_.cached -= bytes;
    stats_.hits += 1;
  } else {
    stats_.misses += 1;
    stats_.raw_allocations += 1;
    data = raw_.allocate(bytes);
    if (data == nullptr && stats_.cached > 0) {
      // Blocks of other classes may be what the device lacks: give them back and retry.
      empty_cache_locked();
      stats_.raw_allocations += 1;
      data = raw_.allocate(bytes);
    }
    if (data == nullptr)
      fail("out of memory on {}: tried to allocate {} (size class {}); {} in use by tensors, peak {}. "
           "Free tensors that are no longer needed, or reduce the batch size",
           where_, format_bytes(nbytes), format_bytes(bytes), format_bytes(stats_.in_use),
           format_bytes(stats_.peak_in_use));
  }
  stats_.in_use += bytes;
  stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.in_use);
  return data;
}

void CachingAllocator::release(void* data, size_t nbytes) {
  if (data == nullptr) return;
  size_t bytes = size_class(nbytes);
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes > stats_.in_use)
    fail("{}: release of {} bytes exceeds the {} bytes in use (a block released twice?)", where_, bytes,
         stats_.in_use);
  stats_.in_use -= bytes;
  free_blocks_[bytes].push_back(data);
  stats_.cached += bytes;
}

void CachingAllocator::empty_cache() {
  std::lock_guard<std::mutex> lock(mutex_);
  empty_cache_locked();
}

void CachingAllocator::empty_cache_locked() {
  for (auto& [bytes, blocks] : free_blocks_)
    for (void* data : blocks) raw_.release(data, bytes);
  free_blocks_.clear();
  stats_.cached = 0;
}

CachingAllocatorStats CachingAllocator::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  stats_.peak_in_use = stats_.in_use;
}

std::string format_bytes(size_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} bytes", bytes);
  return fmt::format("{:.2f} {} ({} bytes)", value, units[unit], bytes);
}

}  // namespace gaze
