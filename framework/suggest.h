// "Did you mean …?" for misspelt names (config keys, layer types, options).
#pragma once
#include <string>
#include <vector>

namespace gaze {

// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo
// (within max(2, half the word's length) edits), else empty. Ties go to the longer shared ending.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace gaze
