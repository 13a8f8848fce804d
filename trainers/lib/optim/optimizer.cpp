#include "trainers/lib/optim/optimizer.h"

#include <charconv>

#include "framework/error.h"

namespace gaze {

size_t optimizer_state_index(const std::string& name, const std::string& prefix, size_t count, const std::string& where) {
  const std::string head = prefix + ".";
  size_t index = 0;
  const char* begin = name.data() + head.size();
  const char* end = name.data() + name.size();
  if (name.rfind(head, 0) != 0 || std::from_chars(begin, end, index).ptr != end || begin == end)
    fail("{} state: unexpected entry '{}' (expected '{}.<parameter index>'): the checkpoint was written by another optimizer",
         where, name, prefix);
  if (index >= count)
    fail("{} state: entry '{}' is for parameter {}, but the model has {} parameters: the checkpoint belongs to another model",
         where, name, index, count);
  return index;
}

}  // namespace gaze
