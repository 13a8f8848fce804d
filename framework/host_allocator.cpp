#include "framework/host_allocator.h"

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

#include "framework/error.h"

namespace gaze {
namespace {

constexpr size_t kSmall = 64 * 1024;

// Size classes at quarter steps between powers of two: at most 25% of a block is slack.
size_t size_class(size_t nbytes) {
  size_t rounded = (std::max<size_t>(nbytes, 1) + 63) / 64 * 64;
  if (rounded <= kSmall) return rounded;
  size_t power = 1;
  while (power * 2 <= rounded) power *= 2;
  size_t quarter = power / 4;
  return (rounded + quarter - 1) / quarter * quarter;
}

size_t initial_limit() {
  if (const char* env = std::getenv("GAZE_HOST_CACHE_MB"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    unsigned long long mb = std::strtoull(env, &end, 10);
    if (*end != '\0') fail("GAZE_HOST_CACHE_MB={} is not a whole number of MiB", env);
    return static_cast<size_t>(mb) << 20;
  }
#ifdef GAZE_SANITIZE_BUILD
  return 0;  // AddressSanitizer must see every free to catch a use after it
#else
  return size_t{4} << 30;
#endif
}

struct Cache {
  std::mutex mutex;
  std::map<size_t, std::vector<void*>> free_blocks;
  HostAllocatorStats stats;
  size_t limit = initial_limit();
};

Cache& cache() {
  static Cache* instance = new Cache;  // never destroyed: Storage may outlive static destruction
  return *instance;
}

void* system_allocate(size_t bytes) {
  void* data = std::aligned_alloc(64, bytes);
  if (data == nullptr) fail("out of host memory: could not allocate {} bytes", bytes);
  return data;
}

}  // namespace

// Every block counts towards in_use and its peak (what `gaze bench` reports per case); only
// blocks above kSmall are cached.
void* host_allocate(size_t nbytes) {
  size_t bytes = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.in_use += bytes;
    c.stats.peak_in_use = std::max(c.stats.peak_in_use, c.stats.in_use);
    if (bytes > kSmall) {
      auto it = c.free_blocks.find(bytes);
      if (it != c.free_blocks.end() && !it->second.empty()) {
        void* data = it->second.back();
        it->second.pop_back();
        c.stats.cached -= bytes;
        c.stats.hits += 1;
        return data;
      }
      c.stats.misses += 1;
    }
  }
  try {
    return system_allocate(bytes);
  } catch (...) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.in_use -= bytes;
    throw;
  }
}

void host_release(void* data, size_t nbytes) {
  if (data == nullptr) return;
  size_t bytes = size_class(nbytes);
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.in_use -= bytes;
    if (bytes > kSmall && c.stats.cached + bytes <= c.limit) {
      c.free_blocks[bytes].push_back(data);
      c.stats.cached += bytes;
      return;
    }
  }
  std::free(data);
}

HostAllocatorStats host_allocator_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

void reset_host_peak() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.stats.peak_in_use = c.stats.in_use;
}

void host_allocator_trim() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  for (auto& [bytes, blocks] : c.free_blocks)
    for (void* data : blocks) std::free(data);
  c.free_blocks.clear();
  c.stats.cached = 0;
}

void set_host_cache_limit(size_t bytes) {
  Cache& c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.limit = bytes;
  }
  if (host_allocator_stats().cached > bytes) host_allocator_trim();
}

}  // namespace gaze
