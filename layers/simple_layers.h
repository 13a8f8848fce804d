// Layers without parameters: activations, pooling, dropout, upsampling, flatten, identity.
#pragma once
#include <string>
#include <vector>

#include "autograd/pool.h"
#include "framework/random.h"
#include "layers/module.h"
#include "layers/option_binder.h"

namespace gaze {

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Identity"; }
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ReLU"; }
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;

 private:
  double slope_;
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Sigmoid"; }
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Tanh"; }
};

// Max or average pooling over the input's spatial dims (1 to 3).
class Pool : public Module {
 public:
  enum class Kind { max, avg };
  Pool(Kind kind, PoolOptions options) : kind_(kind), options_(std::move(options)) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return kind_ == Kind::max ? "MaxPool" : "AvgPool"; }
  std::string extra_repr() const override;

 private:
  Kind kind_;
  PoolOptions options_;
};

class AdaptiveAvgPool : public Module {
 public:
  explicit AdaptiveAvgPool(std::vector<int64_t> output_size) : size_(std::move(output_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "AdaptiveAvgPool"; }
  std::string extra_repr() const override;

 private:
  std::vector<int64_t> size_;
};

struct DropoutOptions {
  double p = 0.5;

  void declare(OptionBinder& b) { b.option("p", p, "drop probability"); }
};

// Inverted dropout while training; the identity in eval mode. The generator (default: the
// process-wide one) decides the mask, so a seeded run is repeatable.
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* generator = nullptr) : p_(p), generator_(generator) {}
  explicit Dropout(const DropoutOptions& o) : Dropout(o.p) {}
  DropoutOptions options() const { return {p_}; }
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;

 private:
  double p_;
  Generator* generator_;
};

// Zeroes whole channels while training (PyTorch's Dropout2d/3d).
class ChannelDropout : public Module {
 public:
  explicit ChannelDropout(double p = 0.5, Generator* generator = nullptr) : p_(p), generator_(generator) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "ChannelDropout"; }
  std::string extra_repr() const override;

 private:
  double p_;
  Generator* generator_;
};

// Resizes the spatial dims by an integer-or-fractional scale (floor(in · scale)) or to a size.
class Upsample : public Module {
 public:
  Upsample(double scale, std::string mode = "nearest", bool align_corners = false)
      : scale_(scale), mode_(std::move(mode)), align_corners_(align_corners) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Upsample"; }
  std::string extra_repr() const override;

 private:
  double scale_;
  std::string mode_;
  bool align_corners_;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1) : start_(start_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override { return "Flatten"; }

 private:
  int64_t start_;
};

}  // namespace gaze
