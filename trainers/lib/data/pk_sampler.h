// PK sampling for metric learning (Hermans et al. 2017): every batch holds P identities with K
// examples each, so every anchor of the batch-hard triplet loss has positives and negatives.
#pragma once
#include <cstdint>
#include <vector>

namespace gaze {

// One epoch's order of example indices, for batches of p*k: consecutive chunks of p*k examples
// hold p distinct identities with k examples each, identity by identity. groups[i] is the identity
// of example i (ExampleSource::group).
//
// An epoch visits every identity once, in a random order: floor(identities / p) chunks, so the
// identities / p remainder sit the epoch out (a different few each epoch). An identity's k
// examples are drawn without replacement; one with fewer than k examples is drawn with
// replacement, as torchreid's RandomIdentitySampler does. (torchreid instead cuts all of an
// identity's examples into k-chunks, visiting an identity with n examples about n/k times.)
//
// A pure function of its arguments: the draws come from derive_seed(pk_epoch_order, seed, epoch).
// Errors: p or k not positive, or fewer than p identities.
std::vector<int64_t> pk_epoch_order(const std::vector<int64_t>& groups, int64_t p, int64_t k, uint64_t seed, int64_t epoch);

}  // namespace gaze
