// Batch normalization over N and the spatial dims, for [N, C], [N, C, L], [N, C, H, W] and
// [N, C, D, H, W] inputs (BatchNorm1d/2d/3d are this one class).
#pragma once
#include <functional>

#include "layers/module.h"
#include "layers/option_binder.h"

namespace gaze {

struct BatchNormOptions {
  int64_t channels = 0;
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;
  double weight_init = 1.0;  // 0 makes a residual branch start as the identity (Non-local's W_z)

  // The options a YAML spec can set (affine and weight_init are for C++ callers).
  void declare(OptionBinder& b) {
    b.required("channels", channels, "channels");
    b.option("eps", eps, "epsilon");
    b.option("momentum", momentum, "running-stat momentum");
  }
};

// Sums a tensor over the ranks of a data-parallel run, differentiably (its backward sums the
// gradient over the ranks too): what synchronized BatchNorm needs from the layer above that owns
// the communicator (trainers/lib/distributed/).
using CrossRankSum = std::function<Tensor(const Tensor&)>;

class BatchNorm : public Module {
 public:
  explicit BatchNorm(BatchNormOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "BatchNorm"; }
  std::string extra_repr() const override;
  const BatchNormOptions& options() const { return options_; }
  // Synchronized BatchNorm (PyTorch's SyncBatchNorm): in training, the batch statistics are taken
  // over every rank's batch, as if one process had the whole global batch. Unset: each rank's own.
  void synchronize_statistics(CrossRankSum sum_over_ranks) { sum_over_ranks_ = std::move(sum_over_ranks); }
  Tensor weight, bias, running_mean, running_var;

 private:
  Tensor synchronized_forward(const Tensor& x);

  BatchNormOptions options_;
  CrossRankSum sum_over_ranks_;
};

}  // namespace gaze
