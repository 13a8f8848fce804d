#include "framework/suggest.h"

#include <algorithm>

namespace gaze {
namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

size_t common_suffix(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[a.size() - 1 - n] == b[b.size() - 1 - n]) ++n;
  return n;
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // Names are short; a word this long is no typo of one, and its edit distances would cost
  // time proportional to its length times every candidate's.
  if (word.size() > 64) return "";
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 2) + 1;  // beyond this, no suggestion
  for (const std::string& c : candidates) {
    size_t d = edit_distance(word, c);
    // A shortened word ("reduce" for "reduction") is far in edits but plainly meant.
    size_t prefix = 0;
    while (prefix < word.size() && prefix < c.size() && word[prefix] == c[prefix]) ++prefix;
    if (prefix >= 4 && prefix + 1 >= word.size()) d = std::min<size_t>(d, 1);
    // Between equally close candidates, the one ending like the word ("lr_decay": weight_decay, not lr).
    if (d < best_distance || (d == best_distance && !best.empty() && common_suffix(word, c) > common_suffix(word, best))) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  std::string match = closest_match(word, candidates);
  return match.empty() ? "" : " (did you mean '" + match + "'?)";
}

}  // namespace gaze
