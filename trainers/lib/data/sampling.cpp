#include "trainers/lib/data/sampling.h"

#include <numeric>

namespace gaze {

namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t derive_seed(SeedPurpose purpose, std::initializer_list<uint64_t> values) {
  uint64_t h = splitmix64(static_cast<uint64_t>(purpose));
  for (uint64_t v : values) h = splitmix64(h ^ splitmix64(v));
  return h;
}

uint64_t uniform_below(Generator& rng, uint64_t bound) {
  // Reject the top partial block of 2^64 so every residue is equally likely.
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % bound + 1) % bound;
  uint64_t x = rng.next_u64();
  while (x > limit) x = rng.next_u64();
  return x % bound;
}

std::vector<int64_t> random_permutation(int64_t n, Generator& rng) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(uniform_below(rng, static_cast<uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

std::vector<int64_t> shard_order(const std::vector<int64_t>& order, int64_t rank, int64_t count) {
  const auto n = static_cast<int64_t>(order.size());
  if (n == 0) return {};
  const int64_t padded = (n + count - 1) / count * count;
  std::vector<int64_t> shard;
  shard.reserve(static_cast<size_t>(padded / count));
  for (int64_t position = rank; position < padded; position += count) shard.push_back(order[static_cast<size_t>(position % n)]);
  return shard;
}

}  // namespace gaze
