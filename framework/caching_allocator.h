// The bookkeeping of a caching allocator for device memory, separated from the memory itself.
//
// Why: cudaMalloc and cudaFree are slow (cudaFree synchronizes the device), and a training step
// frees and re-allocates the same activations every iteration. Freed blocks are kept by size
// class and handed out again. Because every kernel on a device runs on that device's one stream,
// a block freed by the host and reused by a later kernel is ordered after the kernels that used
// it: no event tracking is needed.
//
// The raw allocator is an interface so the bookkeeping (rounding, reuse, peak and current use,
// the out-of-memory message) is tested without a GPU (tests/framework/caching_allocator_test.cpp).
#pragma once
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace gaze {

// Where blocks really come from (cudaMalloc / cudaFree for a GPU).
class RawAllocator {
 public:
  virtual ~RawAllocator() = default;
  // nullptr when the memory is exhausted; other failures throw.
  virtual void* allocate(size_t bytes) = 0;
  virtual void release(void* data, size_t bytes) = 0;
};

struct CachingAllocatorStats {
  size_t in_use = 0;       // bytes (by size class) handed out and not yet released
  size_t peak_in_use = 0;  // since construction or reset_peak()
  size_t cached = 0;       // bytes of freed blocks kept for reuse
  size_t hits = 0, misses = 0;
  size_t raw_allocations = 0;  // calls that reached the raw allocator
};

class CachingAllocator {
 public:
  // `where` names the device in messages ("cuda:0").
  CachingAllocator(RawAllocator& raw, std::string where);
  ~CachingAllocator();  // returns the cached blocks to the raw allocator
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  // Multiples of 512 bytes up to 4 KiB, then quarter steps between powers of two, so at most
  // 25% of a large block is slack and blocks of nearby sizes share a class.
  static size_t size_class(size_t nbytes);

  // When the raw allocator is exhausted, the cache is returned to it and the allocation retried
  // once; if that fails too, a gaze::Error says how much was asked, how much is in use and the
  // peak. Zero bytes gives a unique non-null block of the smallest class.
  void* allocate(size_t nbytes);
  // `nbytes` as given to allocate().
  void release(void* data, size_t nbytes);
  // Returns every cached block to the raw allocator.
  void empty_cache();
  CachingAllocatorStats stats() const;
  void reset_peak();

 private:
  void empty_cache_locked();

  RawAllocator& raw_;
  std::string where_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;
  CachingAllocatorStats stats_;
};

// "1.50 GiB (1610612736 bytes)": sizes in messages, readable and exact.
std::string format_bytes(size_t bytes);

}  // namespace gaze
