#include "layers/models/nonlocal_insertion.h"

#include "layers/attention/non_local.h"

namespace gaze {

void check_nonlocal_options(const char* model, const std::string& mode, int64_t blocks) {
  if (mode.empty()) return;
  if (mode != "gaussian" && mode != "embedded_gaussian" && mode != "dot_product" && mode != "concatenation")
    fail("{}: unknown nonlocal_mode '{}'; modes: \"\" (none), gaussian, embedded_gaussian, dot_product, concatenation", model, mode);
  if (blocks < 1) fail("{}: nonlocal_blocks must be at least 1 when nonlocal_mode is set, got {}", model, blocks);
}

std::vector<int64_t> nonlocal_blocks_per_stage(const std::string& mode, int64_t blocks, int64_t stages) {
  std::vector<int64_t> per_stage(stages, 0);
  if (mode.empty() || stages < 1) return per_stage;
  int64_t res4 = std::max<int64_t>(0, stages - 2);
  if (res4 == 0) {
    per_stage[0] = blocks;
  } else {
    per_stage[res4] = (blocks + 1) / 2;
    per_stage[res4 - 1] = blocks / 2;
  }
  return per_stage;
}

std::vector<int64_t> nonlocal_positions(int64_t count, int64_t blocks) {
  if (count == 1) return {std::max<int64_t>(0, blocks - 2)};
  std::vector<int64_t> positions;
  for (int64_t j = 0; j < count; ++j) positions.push_back(std::min(2 * j + 1, blocks - 1));
  return positions;
}

std::shared_ptr<Sequential> make_nonlocal_stack(int64_t count, int64_t channels, const std::string& mode, bool sub_sample) {
  auto stack = std::make_shared<Sequential>();
  for (int64_t i = 0; i < count; ++i)
    stack->push_back(std::make_shared<NonLocal>(
        NonLocalOptions{.channels = channels, .mode = parse_choice<NonLocalMode>(mode), .dims = 3, .sub_sample = sub_sample, .bn_init = 0.0}));
  return stack;
}

}  // namespace gaze
