// Where the video and re-ID models put their Non-local blocks, following Wang et al. (CVPR 2018,
// Table 2 (b) and (c)), which Liao et al. (ACCV 2018) reuse for video re-ID:
//   1 block   after the second-to-last stage: the paper's single block in res4 (the last stage,
//             res5, has maps too small for long-range interactions to matter).
//   k blocks  split between the second-to-last and the stage before it, the res4 analogue taking
//             the larger half: 5 → 3 + 2, as the paper's 5-block variant (3 in res4, 2 in res3).
// Inside a stage of several residual blocks (the paper-scale ResNets), nonlocal_positions says
// after which block each goes; in a stage of one block they follow each other after it.
// With one stage, every block goes after it. Each block is a space-time (dims = 3) block with
// its output BN's scale at 0, so at initialization it is the identity and a net with blocks
// computes what the baseline computes (the paper's reason for the zero init).
#pragma once
#include <string>
#include <vector>

#include "layers/sequential.h"

namespace gaze {

// Throws, naming `model` and the option, for a mode not in gaussian | embedded_gaussian |
// dot_product | concatenation, or for blocks < 1 with a mode set. An empty mode is "none".
void check_nonlocal_options(const char* model, const std::string& mode, int64_t blocks);

// How many blocks follow each of `stages` stages (all zero when mode is empty).
std::vector<int64_t> nonlocal_blocks_per_stage(const std::string& mode, int64_t blocks, int64_t stages);

// The index of the residual block each of a stage's `count` Non-local blocks follows, in a stage
// of `blocks` residual blocks: one goes right before the last residual block (the paper's single
// block, "right before the last residual block of res4"); several go after every other block, 1,
// 3, 5, ... (Table 2(b), "to every other residual block"; mmaction2's non_local=(0, 1, 0, 1, ...)),
// the ones beyond the stage's end after its last block.
std::vector<int64_t> nonlocal_positions(int64_t count, int64_t blocks);

// `count` space-time Non-local blocks in a row on [N, channels, T, H, W] maps.
std::shared_ptr<Sequential> make_nonlocal_stack(int64_t count, int64_t channels, const std::string& mode, bool sub_sample);

}  // namespace gaze
