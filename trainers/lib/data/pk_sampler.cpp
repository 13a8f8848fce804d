#include "trainers/lib/data/pk_sampler.h"

#include <map>

#include "framework/error.h"
#include "framework/random.h"
#include "trainers/lib/data/sampling.h"

namespace gaze {

std::vector<int64_t> pk_epoch_order(const std::vector<int64_t>& groups, int64_t p, int64_t k, uint64_t seed, int64_t epoch) {
  if (p < 1 || k < 1) fail("pk_epoch_order: p = {} identities and k = {} examples per batch; both must be at least 1", p, k);
  // Identities in increasing order (a std::map), each with its examples in index order, so the
  // result does not depend on how the examples happen to be laid out beyond their indices.
  std::map<int64_t, std::vector<int64_t>> by_identity;
  for (size_t i = 0; i < groups.size(); ++i) by_identity[groups[i]].push_back(static_cast<int64_t>(i));
  const auto identities = static_cast<int64_t>(by_identity.size());
  if (identities < p)
    fail("pk_epoch_order: {} examples hold {} identities, fewer than p = {} per batch; lower p or use data with more identities",
         groups.size(), identities, p);
  std::vector<const std::vector<int64_t>*> examples;
  for (const auto& entry : by_identity) examples.push_back(&entry.second);

  Generator rng(derive_seed(SeedPurpose::pk_epoch_order, {seed, static_cast<uint64_t>(epoch)}));
  const std::vector<int64_t> identity_order = random_permutation(identities, rng);
  const int64_t visited = identities / p * p;
  std::vector<int64_t> order;
  order.reserve(static_cast<size_t>(visited * k));
  for (int64_t slot = 0; slot < visited; ++slot) {
    const std::vector<int64_t>& own = *examples[identity_order[slot]];
    const auto n = static_cast<int64_t>(own.size());
    if (n >= k) {
      // The first k of a random permutation: k distinct examples.
      const std::vector<int64_t> pick = random_permutation(n, rng);
      for (int64_t j = 0; j < k; ++j) order.push_back(own[pick[j]]);
    } else {
      for (int64_t j = 0; j < k; ++j) order.push_back(own[uniform_below(rng, static_cast<uint64_t>(n))]);
    }
  }
  return order;
}

}  // namespace gaze
