// Where a tensor's memory lives. CPU backends share host memory; CUDA tensors live on a GPU.
#pragma once
#include <string>

namespace gaze {

struct Device {
  enum class Type { cpu, cuda };
  Type type = Type::cpu;
  int index = 0;

  static Device cpu() { return {Type::cpu, 0}; }
  static Device cuda(int index = 0) { return {Type::cuda, index}; }
  bool is_cpu() const { return type == Type::cpu; }
  bool is_cuda() const { return type == Type::cuda; }
  std::string str() const;  // "cpu", "cuda:0"
  bool operator==(const Device& other) const = default;
};

Device parse_device(const std::string& text);  // "cpu", "cuda", "cuda:1"

}  // namespace gaze
