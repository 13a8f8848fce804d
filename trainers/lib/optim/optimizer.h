// What the trainer needs from any optimizer: a step, the learning rate the schedule sets, and the
// state a checkpoint must hold so that a resumed run steps exactly as an uninterrupted one.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "framework/tensor.h"

namespace gaze {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  virtual void zero_grad() = 0;
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;
  // Named state tensors ("momentum.3", "exp_avg.0", ...): only the entries that exist yet.
  virtual std::vector<std::pair<std::string, Tensor>> state() const = 0;
  // Restores what state() returned; an entry for a parameter that does not exist, or of the wrong
  // shape, is a gaze::Error (the checkpoint belongs to another model).
  virtual void load_state(const std::vector<std::pair<std::string, Tensor>>& state) = 0;
};

// Splits "prefix.index" of a state entry, checking the prefix and index against `count`
// parameters; `where` names the optimizer in errors.
size_t optimizer_state_index(const std::string& name, const std::string& prefix, size_t count, const std::string& where);

}  // namespace gaze
