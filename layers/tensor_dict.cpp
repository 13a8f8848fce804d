#include "layers/tensor_dict.h"

#include "framework/error.h"

namespace gaze {

TensorDict::TensorDict(std::initializer_list<std::pair<std::string, Tensor>> items) {
  for (const auto& [name, value] : items) set(name, value);
}

void TensorDict::set(const std::string& name, Tensor value) {
  for (auto& item : items_)
    if (item.first == name) {
      item.second = std::move(value);
      return;
    }
  items_.emplace_back(name, std::move(value));
}

const Tensor& TensorDict::at(const std::string& name) const {
  for (const auto& item : items_)
    if (item.first == name) return item.second;
  std::vector<std::string> names;
  for (const auto& item : items_) names.push_back(item.first);
  fail("no output named '{}'; this module's outputs: {}", name, fmt::join(names, ", "));
}

bool TensorDict::contains(const std::string& name) const {
  for (const auto& item : items_)
    if (item.first == name) return true;
  return false;
}

}  // namespace gaze
