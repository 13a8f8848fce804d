// Named tensors, in order: what a module with several outputs returns from forward_all, as
// torchvision's segmentation models return {"out": ..., "aux": ...}. The main output is "out".
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

class TensorDict {
 public:
  TensorDict() = default;
  TensorDict(std::initializer_list<std::pair<std::string, Tensor>> items);

  // Replaces the tensor of `name`, or appends it.
  void set(const std::string& name, Tensor value);
  // An error naming the present names when `name` is absent.
  const Tensor& at(const std::string& name) const;
  bool contains(const std::string& name) const;
  const std::vector<std::pair<std::string, Tensor>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, Tensor>> items_;
};

}  // namespace gaze
