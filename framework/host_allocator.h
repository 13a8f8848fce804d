// The host memory allocator behind every CPU Storage: a cache of freed blocks by size class.
//
// Why: a training step allocates and frees the same large activations every iteration. Fresh
// large blocks come from mmap and are page-faulted on first touch each time (PyTorch 1.13 spends
// ~45% of its attention-block time in the kernel this way); reusing freed blocks avoids it.
// Blocks under 64 KiB go straight to malloc, which already recycles them.
#pragma once
#include <cstddef>

namespace gaze {

struct HostAllocatorStats {
  size_t in_use = 0;       // bytes handed out and not yet released (by size class), every block
  size_t peak_in_use = 0;  // the most in_use since the start or reset_host_peak()
  size_t cached = 0;       // bytes kept for reuse
  size_t hits = 0, misses = 0;
};

// 64-byte aligned; the contents are uninitialised. `release` takes the size given to `allocate`.
void* host_allocate(size_t nbytes);
void host_release(void* data, size_t nbytes);
HostAllocatorStats host_allocator_stats();
// Starts a new peak at what is in use now (e.g. before one benchmark case).
void reset_host_peak();
// Returns every cached block to the system.
void host_allocator_trim();
// The most bytes the cache keeps (default 4 GiB, or GAZE_HOST_CACHE_MB); beyond it, freed blocks
// go back to the system.
void set_host_cache_limit(size_t bytes);

}  // namespace gaze
