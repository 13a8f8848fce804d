// PK sampling: every chunk of p*k holds p identities with k examples each; the order is a pure
// function of its arguments.
#include "trainers/lib/data/pk_sampler.h"

#include <map>
#include <set>

#include "support/test_support.h"

using namespace gaze;

namespace {

// 6 identities: 10 (5 examples), 20 (4), 30 (2: fewer than k = 3), 40 (3), 50 (6), 60 (4),
// interleaved so that an identity's examples are not contiguous.
std::vector<int64_t> groups() {
  std::vector<int64_t> g;
  const std::vector<std::pair<int64_t, int>> counts = {{10, 5}, {20, 4}, {30, 2}, {40, 3}, {50, 6}, {60, 4}};
  for (int round = 0; round < 6; ++round)
    for (auto [id, n] : counts)
      if (round < n) g.push_back(id);
  return g;
}

// Checks the PK structure and returns how often each identity appears.
std::map<int64_t, int> check_chunks(const std::vector<int64_t>& order, const std::vector<int64_t>& g, int64_t p, int64_t k) {
  REQUIRE(order.size() % (p * k) == 0);
  std::map<int64_t, int> visits;
  for (size_t start = 0; start < order.size(); start += p * k) {
    std::set<int64_t> chunk_ids;
    for (int64_t a = 0; a < p; ++a) {
      const int64_t id = g[order[start + a * k]];
      CHECK(chunk_ids.insert(id).second);  // p distinct identities
      ++visits[id];
      std::set<int64_t> distinct;
      for (int64_t j = 0; j < k; ++j) {
        const int64_t example = order[start + a * k + j];
        REQUIRE(example >= 0);
        REQUIRE(example < static_cast<int64_t>(g.size()));
        CHECK(g[example] == id);  // k examples of the identity, one after another
        distinct.insert(example);
      }
      if (std::count(g.begin(), g.end(), id) >= k) CHECK(distinct.size() == static_cast<size_t>(k));  // without replacement
    }
  }
  return visits;
}

}  // namespace

TEST_CASE("pk_epoch_order: chunks of p*k hold p distinct identities with k examples each, every identity once an epoch") {
  const std::vector<int64_t> g = groups();
  for (int64_t epoch = 0; epoch < 5; ++epoch) {
    std::vector<int64_t> order = pk_epoch_order(g, 2, 3, 42, epoch);
    CHECK(order.size() == 18);  // 6 identities / p = 3 chunks of 6
    std::map<int64_t, int> visits = check_chunks(order, g, 2, 3);
    CHECK(visits.size() == 6);
    for (auto [id, n] : visits) CHECK(n == 1);
  }
}

TEST_CASE("pk_epoch_order: an identity with fewer than k examples is drawn with replacement; over epochs every example is used") {
  const std::vector<int64_t> g = groups();
  std::set<int64_t> used;
  for (int64_t epoch = 0; epoch < 30; ++epoch)
    for (int64_t example : pk_epoch_order(g, 3, 4, 7, epoch)) used.insert(example);
  CHECK(used.size() == g.size());
  std::vector<int64_t> order = pk_epoch_order(g, 3, 4, 7, 0);
  check_chunks(order, g, 3, 4);  // identity 30 (2 examples) fills its 4 slots with repeats
}

TEST_CASE("pk_epoch_order: leftover identities sit the epoch out, a different few each epoch") {
  // 7 identities with p = 2: 3 chunks, one identity left out.
  std::vector<int64_t> g = groups();
  g.push_back(70);
  g.push_back(70);
  std::set<int64_t> left_out;
  for (int64_t epoch = 0; epoch < 20; ++epoch) {
    std::vector<int64_t> order = pk_epoch_order(g, 2, 2, 3, epoch);
    CHECK(order.size() == 12);
    std::map<int64_t, int> visits = check_chunks(order, g, 2, 2);
    CHECK(visits.size() == 6);
    for (int64_t id : {10, 20, 30, 40, 50, 60, 70})
      if (!visits.count(id)) left_out.insert(id);
  }
  CHECK(left_out.size() > 1);
}

TEST_CASE("pk_epoch_order is a pure function of (groups, p, k, seed, epoch)") {
  const std::vector<int64_t> g = groups();
  CHECK(pk_epoch_order(g, 2, 3, 42, 1) == pk_epoch_order(g, 2, 3, 42, 1));
  CHECK(pk_epoch_order(g, 2, 3, 42, 1) != pk_epoch_order(g, 2, 3, 42, 2));
  CHECK(pk_epoch_order(g, 2, 3, 42, 1) != pk_epoch_order(g, 2, 3, 43, 1));
}

TEST_CASE("pk_epoch_order: p or k of 0, or fewer identities than p, are errors that say what to change") {
  const std::vector<int64_t> g = groups();
  CHECK_THROWS_WITH_AS(pk_epoch_order(g, 0, 4, 1, 0), doctest::Contains("must be at least 1"), Error);
  CHECK_THROWS_WITH_AS(pk_epoch_order(g, 2, 0, 1, 0), doctest::Contains("must be at least 1"), Error);
  CHECK_THROWS_WITH_AS(pk_epoch_order(g, 7, 2, 1, 0), doctest::Contains("6 identities, fewer than p = 7"), Error);
  CHECK_THROWS_WITH_AS(pk_epoch_order({}, 1, 1, 1, 0), doctest::Contains("0 identities"), Error);
}
