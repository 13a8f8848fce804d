// The DataLoader: batches are a pure function of (seed, epoch, batch index), whether built ahead
// on the background thread or on the caller's, and whether the epoch started from its beginning
// or mid-way (a resumed run).
#include <algorithm>
#include <numeric>

#include "support/test_support.h"
#include "trainers/lib/data/loader.h"

using namespace gaze;

namespace {

// n 1×4×4 images with distinct pixels, each labelled with its index: a batch's labels say which
// images it holds.
ImageSet indexed_set(int64_t n) {
  ImageSet set;
  set.height = 4;
  set.width = 4;
  for (int64_t i = 0; i < n; ++i) {
    for (int j = 0; j < 16; ++j) set.pixels.push_back(static_cast<uint8_t>(i * 16 + j + 1));
    set.labels.push_back(i);
  }
  return set;
}

LoaderOptions augmenting(int64_t prefetch, uint64_t seed = 5) {
  LoaderOptions o;
  o.batch_size = 4;
  o.augment = true;
  o.transforms.names = {"random_crop", "hflip", "normalize"};
  o.transforms.crop_padding = 1;
  o.seed = seed;
  o.prefetch = prefetch;
  return o;
}

struct Seen {
  std::vector<std::vector<float>> images;
  std::vector<std::vector<int64_t>> labels;
  std::vector<int64_t> indices;
  bool operator==(const Seen&) const = default;
};

Seen run_epoch(DataLoader& loader, int64_t epoch, int64_t skip = 0) {
  Seen seen;
  loader.start_epoch(epoch, skip);
  Batch batch;
  while (loader.next(batch)) {
    seen.images.push_back(batch.images.to_vector<float>());
    seen.labels.push_back(batch.labels.to_vector<int64_t>());
    seen.indices.push_back(batch.index);
    CHECK(batch.wait_seconds >= 0.0);
  }
  return seen;
}

Seen drop_first(Seen s, size_t n) {
  s.images.erase(s.images.begin(), s.images.begin() + static_cast<std::ptrdiff_t>(n));
  s.labels.erase(s.labels.begin(), s.labels.begin() + static_cast<std::ptrdiff_t>(n));
  s.indices.erase(s.indices.begin(), s.indices.begin() + static_cast<std::ptrdiff_t>(n));
  return s;
}

}  // namespace

TEST_CASE("data: loader batches are the same built ahead on a thread (prefetch 2) or on the caller's (prefetch 0)") {
  const ImageSet set = indexed_set(10);
  DataLoader sync(set, augmenting(0));
  DataLoader ahead(set, augmenting(2));
  for (int64_t epoch : {0, 1, 7}) {
    INFO("epoch " << epoch);
    const Seen a = run_epoch(sync, epoch);
    const Seen b = run_epoch(ahead, epoch);
    CHECK(a.indices == std::vector<int64_t>{0, 1, 2});
    CHECK(a == b);
    CHECK(a == run_epoch(sync, epoch));  // and again: nothing carries over between epochs
  }
  // Prefetching as deep as the epoch, and a batch built alone, change nothing either.
  LoaderOptions deep = augmenting(8);
  DataLoader deeper(set, deep);
  const Seen reference = run_epoch(sync, 3);
  CHECK(run_epoch(deeper, 3) == reference);
  Batch alone = sync.build_batch(3, 1);
  CHECK(alone.images.to_vector<float>() == reference.images[1]);
}

TEST_CASE("data: a loader resumed mid-epoch (skip_batches) yields exactly the rest of the uninterrupted epoch") {
  const ImageSet set = indexed_set(10);
  for (int64_t prefetch : {0, 2}) {
    INFO("prefetch " << prefetch);
    DataLoader loader(set, augmenting(prefetch));
    const Seen whole = run_epoch(loader, 4);
    // A fresh loader, as after SIGKILL and a restart.
    DataLoader resumed(set, augmenting(prefetch));
    CHECK(run_epoch(resumed, 4, 2) == drop_first(whole, 2));
    CHECK(run_epoch(resumed, 4, 1) == drop_first(whole, 1));
    CHECK(run_epoch(resumed, 4, 3).images.empty());  // the epoch had ended
    CHECK_THROWS_WITH_AS(resumed.start_epoch(4, 4), doctest::Contains("cannot skip 4 batches of an epoch of 3"), Error);
    Batch batch;
    CHECK_FALSE(resumed.next(batch));  // the refused start left the finished epoch as it was
  }
}

TEST_CASE("data: each epoch visits every image once in its own order; seeds and epochs give different batches") {
  const ImageSet set = indexed_set(10);
  DataLoader loader(set, augmenting(2));
  const auto order_of = [](const Seen& s) {
    std::vector<int64_t> all;
    for (const auto& l : s.labels) all.insert(all.end(), l.begin(), l.end());
    return all;
  };
  const Seen e0 = run_epoch(loader, 0);
  const Seen e1 = run_epoch(loader, 1);
  std::vector<int64_t> sorted = order_of(e0);
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> expected(10);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(sorted == expected);
  CHECK(order_of(e0) != order_of(e1));
  CHECK(order_of(e0) != expected);  // shuffled
  DataLoader other_seed(set, augmenting(2, 6));
  CHECK(order_of(run_epoch(other_seed, 0)) != order_of(e0));

  // Same images in the same order, different augmentation: only the batch's own seed differs.
  LoaderOptions fixed = augmenting(0);
  fixed.shuffle = false;
  DataLoader in_order(set, fixed);
  const Seen f0 = run_epoch(in_order, 0);
  const Seen f1 = run_epoch(in_order, 1);
  CHECK(order_of(f0) == expected);
  CHECK(f0.labels == f1.labels);
  CHECK(f0.images != f1.images);
}

TEST_CASE("data: the last batch of an epoch is partial, or dropped with drop_last") {
  const ImageSet set = indexed_set(10);
  LoaderOptions o = augmenting(2);
  DataLoader loader(set, o);
  CHECK(loader.batches_per_epoch() == 3);
  const Seen all = run_epoch(loader, 0);
  REQUIRE(all.labels.size() == 3);
  CHECK(all.labels[2].size() == 2);
  o.drop_last = true;
  DataLoader dropping(set, o);
  CHECK(dropping.batches_per_epoch() == 2);
  const Seen dropped = run_epoch(dropping, 0);
  CHECK(dropped.labels.size() == 2);
  CHECK(dropped.labels[1].size() == 4);
  Batch batch;
  loader.start_epoch(0);
  REQUIRE(loader.next(batch));
  CHECK(batch.images.shape() == Shape{4, 1, 4, 4});
}

TEST_CASE("data: an error while building a batch on the background thread reaches the caller of next()") {
  ImageSet set = indexed_set(10);
  DataLoader loader(set, augmenting(2));
  set.pixels.resize(100);  // damaged after the loader was made: the first batch fails on the worker
  loader.start_epoch(0);
  Batch batch;
  CHECK_THROWS_WITH_AS(loader.next(batch), doctest::Contains("the set's 10 images of 1×4×4 need 160 pixel bytes, it holds 100"),
                       Error);
  CHECK_FALSE(loader.next(batch));  // the epoch ended with the error
  CHECK_THROWS_WITH_AS(DataLoader(set, augmenting(0)), doctest::Contains("need 160 pixel bytes"), Error);  // a new loader refuses it at once
}

TEST_CASE("data: a loader stops its thread cleanly mid-epoch, on restart and on destruction") {
  const ImageSet set = indexed_set(64);
  LoaderOptions o = augmenting(2);
  o.batch_size = 2;  // 32 batches: the worker is still producing when we stop it
  {
    DataLoader loader(set, o);
    loader.start_epoch(0);
    Batch batch;
    REQUIRE(loader.next(batch));
    loader.start_epoch(1);  // restart while the worker waits on a full queue
    REQUIRE(loader.next(batch));
    CHECK(batch.index == 0);
  }  // destroyed mid-epoch: joins without hanging
  DataLoader never_started(set, o);
  Batch batch;
  CHECK_THROWS_WITH_AS(never_started.next(batch), "DataLoader::next: no epoch started; call start_epoch(epoch) first", Error);
  o.batch_size = 0;
  CHECK_THROWS_WITH_AS(DataLoader(set, o), "DataLoader: batch_size 0 must be positive", Error);
}
