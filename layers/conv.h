// Convolution layers: Conv1d, Conv2d, Conv3d (one class, the rank in the options).
#pragma once
#include "autograd/conv.h"
#include "layers/module.h"
#include "layers/option_binder.h"

namespace gaze {

struct ConvLayerOptions {
  int64_t in_channels = 0, out_channels = 0;
  std::vector<int64_t> kernel{3};  // one value for every spatial dim, or one per dim
  std::vector<int64_t> stride{1}, padding{0}, dilation{1};
  int64_t groups = 1;
  bool bias = true;
  int dims = 2;  // spatial dims: 1, 2 or 3

  void declare(OptionBinder& b) {
    b.required("in_channels", in_channels, "input channels");
    b.required("out_channels", out_channels, "output channels");
    b.option("kernel", kernel, "kernel size");
    b.option("stride", stride, "stride");
    b.option("padding", padding, "zero padding");
    b.option("dilation", dilation, "dilation");
    b.option("groups", groups, "groups");
    b.option("bias", bias, "learn a bias");
    b.option("dims", dims, "spatial dims");
  }
};

class Conv : public Module {
 public:
  explicit Conv(ConvLayerOptions options);
  Tensor forward(const Tensor& x) override;
  std::string export_onnx(OnnxGraph& graph, const std::vector<std::string>& inputs) const override;
  std::string type_name() const override;
  std::string extra_repr() const override;
  const ConvLayerOptions& options() const { return options_; }
  Tensor weight, bias;  // bias undefined when options.bias is false

 private:
  ConvLayerOptions options_;
};

std::shared_ptr<Conv> make_conv(int dims, int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0,
                                bool bias = true, int64_t groups = 1, int64_t dilation = 1);

}  // namespace gaze
