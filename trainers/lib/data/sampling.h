// Seeds derived from (seed, epoch, batch) and the permutations they draw. The data pipeline never
// draws from shared state: every random choice comes from a Generator seeded here, so what a
// trainer sees is a pure function of its coordinates and a resumed run sees the same batches.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "framework/random.h"

namespace gaze {

// What a derived seed is for, so the epoch's order and a batch's augmentation never share a stream.
// The synthetic sets (action_clips.h, action_relations.h, segmentation_scenes.h, reid_tracklets.h)
// derive one seed per video, scene, identity, camera or tracklet from their own purposes, so their
// streams never coincide with the loader's or with each other's.
enum class SeedPurpose : uint64_t {
  epoch_order = 1,
  batch_augment = 2,
  action_video = 3,
  segmentation_scene = 4,
  reid_identities = 5,
  reid_camera = 6,
  reid_tracklet = 7,
  reid_signature = 8,
  pk_epoch_order = 9,           // trainers/lib/data/pk_sampler.h
  action_relations_video = 10,  // trainers/datasets/action_relations.h
};

// A well-mixed 64-bit seed from `purpose` and `values` (splitmix64 over each in turn): nearby
// inputs, such as consecutive epochs or batch indices, give unrelated streams.
uint64_t derive_seed(SeedPurpose purpose, std::initializer_list<uint64_t> values);

// Uniform in [0, bound), bound > 0, by rejection: unbiased, and the same on every standard library
// (std::uniform_int_distribution is not, so it would break cross-platform reproducibility).
uint64_t uniform_below(Generator& rng, uint64_t bound);

// A uniformly random permutation of 0..n-1 (Fisher-Yates).
std::vector<int64_t> random_permutation(int64_t n, Generator& rng);

// Shard `rank` of `count` of an epoch's order, as PyTorch's DistributedSampler (drop_last=False):
// the order is padded to a multiple of `count` by repeating its first examples, and shard r takes
// positions r, r + count, r + 2 count, ... So the shards are disjoint but for the padding, equally
// long, and batch b of every shard together are the examples of batch b of one process whose
// batch is `count` times larger.
std::vector<int64_t> shard_order(const std::vector<int64_t>& order, int64_t rank, int64_t count);

}  // namespace gaze
