// Direct 2D convolution for layers with very few channels, such as CBAM's spatial attention
// (a 7×7 convolution from 2 channels to 1). im2col + GEMM multiplies matrices one row high there,
// and oneDNN falls back to plain layouts and a slow generic kernel (its blocked layouts would
// pad the channels 8-16x): perf put 30% of a CBAM forward + backward in that kernel. Here each
// output row is a sum of shifted input rows, one multiply-add per tap over contiguous memory.
#pragma once
#include "framework/backend.h"

namespace gaze::openblas {

// Whether the direct kernels take this convolution: 2D, f32 or f64, contiguous, one group,
// stride 1 (any padding and dilation), and at most kThinConvChannelProduct input × output
// channels, where a kernel per row beats a GEMM.
inline constexpr int64_t kThinConvChannelProduct = 16;
bool thin_conv_applies(const KernelArg& x, const KernelArg& weight, const KernelArg& out, const ConvParams& p);

void thin_conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight, const ConvParams& p);
void thin_conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& weight, const ConvParams& p);
void thin_conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out, const KernelArg& x,
                               const ConvParams& p);

}  // namespace gaze::openblas
