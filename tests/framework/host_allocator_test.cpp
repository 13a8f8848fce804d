// The caching host allocator: freed large blocks are reused by size class, small ones are not
// cached, the cache honours its limit and can be emptied.
#include "framework/host_allocator.h"
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("a freed large block is handed out again for a request of the same size class") {
  set_host_cache_limit(size_t{64} << 20);
  host_allocator_trim();
  void* first = host_allocate(1 << 20);
  host_release(first, 1 << 20);
  HostAllocatorStats before = host_allocator_stats();
  CHECK(before.cached >= (1u << 20));
  void* second = host_allocate((1 << 20) - 100);  // same class
  CHECK(second == first);
  CHECK(host_allocator_stats().hits == before.hits + 1);
  CHECK(reinterpret_cast<uintptr_t>(second) % 64 == 0);
  host_release(second, (1 << 20) - 100);
  host_allocator_trim();
  CHECK(host_allocator_stats().cached == 0);
}

TEST_CASE("the cache keeps no more than its limit, and in-use bytes are tracked") {
  set_host_cache_limit(0);
  size_t in_use = host_allocator_stats().in_use;
  void* block = host_allocate(4 << 20);
  CHECK(host_allocator_stats().in_use >= in_use + (4u << 20));
  host_release(block, 4 << 20);
  CHECK(host_allocator_stats().cached == 0);
  CHECK(host_allocator_stats().in_use == in_use);
  set_host_cache_limit(size_t{4} << 30);
}

TEST_CASE("tensors built on reused blocks hold their own values") {
  set_host_cache_limit(size_t{64} << 20);
  { Tensor a = full({512, 512}, 3.0); }
  Tensor b = zeros({512, 512});
  CHECK(sum(b).item() == 0.0);
  host_allocator_trim();
}

TEST_CASE("the peak of in-use bytes counts small and large blocks and restarts on request") {
  reset_host_peak();
  HostAllocatorStats start = host_allocator_stats();
  CHECK(start.peak_in_use == start.in_use);
  void* small = host_allocate(1000);  // below the cached sizes: still counted
  CHECK(host_allocator_stats().in_use == start.in_use + 1024);
  void* large = host_allocate(3 << 20);
  host_release(large, 3 << 20);
  host_release(small, 1000);
  HostAllocatorStats after = host_allocator_stats();
  CHECK(after.in_use == start.in_use);
  CHECK(after.peak_in_use == start.in_use + 1024 + (3u << 20));
  reset_host_peak();
  CHECK(host_allocator_stats().peak_in_use == start.in_use);
}
