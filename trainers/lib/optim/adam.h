// Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019), as torch.optim.Adam / AdamW:
//   Adam:  g ← g + wd·p (L2 in the gradient)      AdamW: p ← p − lr·wd·p (decoupled decay)
//   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//   p ← p − lr · (m / (1−β1ᵗ)) / (sqrt(v / (1−β2ᵗ)) + eps)
#pragma once
#include <vector>

#include "framework/tensor.h"
#include "trainers/lib/optim/optimizer.h"

namespace gaze {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool decoupled = false;  // true: AdamW
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> parameters, AdamOptions options);
  void step() override;  // parameters without a gradient are left alone (and keep their step count)
  void zero_grad() override;
  double lr() const override { return options_.lr; }
  void set_lr(double lr) override { options_.lr = lr; }
  // "exp_avg.<i>", "exp_avg_sq.<i>" and "step.<i>" (a 1-element i64) of every parameter stepped so far.
  std::vector<std::pair<std::string, Tensor>> state() const override;
  void load_state(const std::vector<std::pair<std::string, Tensor>>& state) override;

 private:
  std::vector<Tensor> parameters_, m_, v_;
  std::vector<int64_t> steps_;
  AdamOptions options_;
};

}  // namespace gaze
