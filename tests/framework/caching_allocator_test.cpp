// The device allocator's bookkeeping against a fake raw allocator: size classes, reuse of freed
// blocks, peak and current accounting, and the out-of-memory message. Runs without a GPU.
#include <doctest/doctest.h>

#include <set>

#include "framework/caching_allocator.h"
#include "framework/error.h"

using namespace gaze;

namespace {

// Hands out distinct fake addresses up to a capacity; counts calls.
class FakeRaw : public RawAllocator {
 public:
  explicit FakeRaw(size_t capacity) : capacity(capacity) {}
  void* allocate(size_t bytes) override {
    ++allocations;
    if (used + bytes > capacity) return nullptr;
    used += bytes;
    next += bytes + 4096;
    live.insert(next);
    return reinterpret_cast<void*>(next);
  }
  void release(void* data, size_t bytes) override {
    ++releases;
    used -= bytes;
    live.erase(reinterpret_cast<uintptr_t>(data));
  }
  size_t capacity, used = 0, allocations = 0, releases = 0;
  uintptr_t next = 1 << 20;
  std::set<uintptr_t> live;
};

}  // namespace

TEST_CASE("caching allocator: size classes are 512-byte multiples, then quarter steps between powers of two") {
  CHECK(CachingAllocator::size_class(0) == 512);
  CHECK(CachingAllocator::size_class(1) == 512);
  CHECK(CachingAllocator::size_class(513) == 1024);
  CHECK(CachingAllocator::size_class(4096) == 4096);
  CHECK(CachingAllocator::size_class(4097) == 5120);  // 4096 + 1024
  CHECK(CachingAllocator::size_class(1 << 20) == (1 << 20));
  CHECK(CachingAllocator::size_class((1 << 20) + 1) == (1 << 20) + (1 << 18));
  for (size_t n : {size_t{5000}, size_t{70000}, size_t{3} << 20, (size_t{1} << 30) + 7}) {
    size_t c = CachingAllocator::size_class(n);
    CHECK(c >= n);
    CHECK(c <= n + n / 4 + 512);  // at most a quarter of slack
  }
}

TEST_CASE("caching allocator: freed blocks are reused by size class; peak and current use are tracked") {
  FakeRaw raw(size_t{1} << 30);
  {
    CachingAllocator alloc(raw, "fake:0");
    void* a = alloc.allocate(100000);
    void* b = alloc.allocate(3000);
    size_t ca = CachingAllocator::size_class(100000), cb = CachingAllocator::size_class(3000);
    CHECK(alloc.stats().in_use == ca + cb);
    CHECK(alloc.stats().peak_in_use == ca + cb);
    alloc.release(a, 100000);
    CHECK(alloc.stats().in_use == cb);
    CHECK(alloc.stats().cached == ca);
    CHECK(alloc.stats().peak_in_use == ca + cb);
    void* a2 = alloc.allocate(99000);  // same class: the freed block comes back
    CHECK(a2 == a);
    CHECK(alloc.stats().hits == 1);
    CHECK(alloc.stats().cached == 0);
    CHECK(raw.allocations == 2);
    void* c = alloc.allocate(200000);  // a new class: a raw allocation
    CHECK(c != a);
    CHECK(raw.allocations == 3);
    alloc.release(a2, 99000);
    alloc.release(b, 3000);
    alloc.release(c, 200000);
    CHECK(alloc.stats().in_use == 0);
    alloc.reset_peak();
    CHECK(alloc.stats().peak_in_use == 0);
    alloc.empty_cache();
    CHECK(alloc.stats().cached == 0);
    CHECK(raw.used == 0);
    void* d = alloc.allocate(10);
    alloc.release(d, 10);
  }
  CHECK(raw.live.empty());  // the destructor returned the cache
}

TEST_CASE("caching allocator: on exhaustion the cache is returned and the allocation retried") {
  FakeRaw raw(4 << 20);
  CachingAllocator alloc(raw, "fake:0");
  void* a = alloc.allocate(3 << 20);
  alloc.release(a, 3 << 20);  // cached: 3 MiB held, 1 MiB free in the raw allocator
  void* b = alloc.allocate(2 << 20);  // another class: fails once, then succeeds after the cache is emptied
  CHECK(b != nullptr);
  CHECK(alloc.stats().cached == 0);
  alloc.release(b, 2 << 20);
}

TEST_CASE("caching allocator: out of memory names the request, the use and the peak") {
  FakeRaw raw(1 << 20);
  CachingAllocator alloc(raw, "fake:0");
  void* a = alloc.allocate(600000);
  CHECK_THROWS_WITH_AS(alloc.allocate(900000),
                       doctest::Contains("out of memory on fake:0: tried to allocate 878.91 KiB (900000 bytes)"), Error);
  try {
    alloc.allocate(900000);
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("in use by tensors") != std::string::npos);
    CHECK(std::string(e.what()).find("peak") != std::string::npos);
  }
  CHECK(alloc.stats().in_use == CachingAllocator::size_class(600000));  // a failed request changes nothing
  CHECK_THROWS_WITH_AS(alloc.release(a, 4 << 20), doctest::Contains("released twice"), Error);
  alloc.release(a, 600000);
}

TEST_CASE("format_bytes is readable and exact") {
  CHECK(format_bytes(12) == "12 bytes");
  CHECK(format_bytes(1536) == "1.50 KiB (1536 bytes)");
  CHECK(format_bytes(size_t{3} << 30) == "3.00 GiB (3221225472 bytes)");
}
