#include "layers/attention/attention_impl.h"

#include "framework/error.h"

namespace gaze {

const ChoiceNames& choice_names(AttentionImpl) {
  static const ChoiceNames names{"attention layer",
                                 "attention_impl",
                                 "choices",
                                 {{"auto", "fused when the map (concatenation: its pair features) exceeds 64 MiB"},
                                  {"fused", "never stores the map"},
                                  {"materialized", "stores the map"}}};
  return names;
}

bool use_fused_attention(AttentionImpl impl, int64_t batch, int64_t queries, int64_t keys, int64_t values_per_pair,
                         bool map_wanted, const char* layer) {
  if (impl == AttentionImpl::materialized) return false;
  if (impl == AttentionImpl::fused) {
    if (map_wanted)
      fail("{}: attention_impl is fused, which never forms the attention map, but the map was asked for "
           "(visualization); set attention_impl: auto or materialized to record it",
           layer);
    return true;
  }
  if (map_wanted) return false;
  return batch * queries * keys * values_per_pair * int64_t{4} > kFusedAttentionMinMapBytes;
}

}  // namespace gaze
