// How the CPU fused attention cuts the [Nq, Nk] map into tiles, from the sizes alone.
//
// A tile's scores (rows × cols values) are written by one GEMM and read by the next, so they
// should stay in the core's L2: kScoreTileBytes each (the backward holds two). When a block of
// kMinQueryRows rows × every key fits, the key range is taken whole: the softmax needs no
// online rescaling and each tile does exactly the materialized path's work, with GEMMs of the
// same useful size. Longer key ranges are walked in tiles of kScoreTileBytes / kOnlineQueryRows
// keys with the running max and sum. Either way memory is O(threads · tile), never N².
#pragma once
#include <algorithm>
#include <cstdint>

namespace gaze::openblas {

constexpr int64_t kScoreTileBytes = int64_t{256} << 10;
constexpr int64_t kMinQueryRows = 32;      // fewer rows make the GEMMs' dK/dV updates too thin
constexpr int64_t kMaxQueryRows = 128;     // short key rows: more rows per GEMM, not more cache
constexpr int64_t kOnlineQueryRows = 64;   // rows of a tile when the keys are walked in tiles
constexpr int64_t kMinSplitKeys = 128;     // the backward splits keys for balance no finer

struct AttentionTiles {
  int64_t query_rows = 1, key_cols = 1;
};

inline int64_t attention_tile_count(int64_t n, int64_t tile) { return (n + tile - 1) / tile; }

// Tile sizes for `element_bytes`-wide values (4 or 8).
inline AttentionTiles attention_cache_tiles(int64_t queries, int64_t keys, int64_t element_bytes) {
  AttentionTiles t;
  const int64_t whole_row_limit = kScoreTileBytes / (element_bytes * kMinQueryRows);
  t.key_cols = keys <= whole_row_limit ? keys : kScoreTileBytes / (element_bytes * kOnlineQueryRows);
  t.query_rows = std::clamp(kScoreTileBytes / (element_bytes * t.key_cols), kMinQueryRows, kMaxQueryRows);
  t.query_rows = std::max<int64_t>(1, std::min(t.query_rows, queries));
  return t;
}

// Enough work items for every thread: there are batch · ⌈extent / tile⌉ of them, and the tile
// halves (not below `floor`) until there are at least 4 per thread or a multiple of the threads.
inline int64_t attention_balanced_tile(int64_t tile, int64_t floor, int64_t threads, int64_t batch, int64_t extent) {
  for (;;) {
    int64_t items = batch * attention_tile_count(extent, tile);
    bool balanced = items >= 4 * threads || (items >= threads && items % threads == 0);
    if (balanced || (tile + 1) / 2 < floor) return tile;
    tile = (tile + 1) / 2;
  }
}

// Forward: work items are (batch, query tile); more of them, smaller, when the batch is small.
inline AttentionTiles attention_forward_tiles(int64_t batch, int64_t queries, int64_t keys, int64_t element_bytes,
                                              int64_t threads) {
  AttentionTiles t = attention_cache_tiles(queries, keys, element_bytes);
  t.query_rows = attention_balanced_tile(t.query_rows, 8, threads, batch, queries);
  return t;
}

// Backward: work items are (batch, key tile), each owning its rows of dK and dV. With one key
// tile per batch every item also owns its batch's dQ (no private buffers to sum); the key range
// is split only when the batches alone would leave a thread idle.
inline AttentionTiles attention_backward_tiles(int64_t batch, int64_t queries, int64_t keys, int64_t element_bytes,
                                               int64_t threads) {
  AttentionTiles t = attention_cache_tiles(queries, keys, element_bytes);
  t.key_cols = attention_balanced_tile(t.key_cols, kMinSplitKeys, threads, batch, keys);
  return t;
}

}  // namespace gaze::openblas
