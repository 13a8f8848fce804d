// Direct convolution kernels: the fallback for problems cuDNN has no algorithm for (some f64,
// grouped or dilated 3D cases, sizes past its 32-bit limits). One thread per element written,
// a plain loop over what it sums, in double: correct for every geometry, not fast.
#include "backends/cuda/check.h"
#include "backends/cuda/device_math.cuh"
#include "backends/cuda/kernels.h"

namespace gaze::cuda {
namespace {

__device__ inline int64_t vol(const int64_t (&s)[3]) { return s[0] * s[1] * s[2]; }

// Splits a flat index over (outer, d, h, w) with sizes s.
__device__ inline int64_t split3(int64_t i, const int64_t (&s)[3], int64_t (&p)[3]) {
  p[2] = i % s[2];
  i /= s[2];
  p[1] = i % s[1];
  i /= s[1];
  p[0] = i % s[0];
  return i / s[0];
}

template <typename T>
__global__ void conv_forward_kernel(T* out, const T* x, const T* w, Conv3Params c) {
  int64_t total = c.batch * c.out_channels * vol(c.out);
  int64_t in_pg = c.in_channels / c.groups, out_pg = c.out_channels / c.groups;
  GAZE_GRID_STRIDE(i, total) {
    int64_t o[3];
    int64_t no = split3(i, c.out, o);
    int64_t n = no / c.out_channels, oc = no % c.out_channels, g = oc / out_pg;
    double acc = 0.0;
    for (int64_t ci = 0; ci < in_pg; ++ci) {
      const T* xp = x + (n * c.in_channels + g * in_pg + ci) * vol(c.in);
      const T* wp = w + (oc * in_pg + ci) * vol(c.kernel);
      for (int64_t kd = 0; kd < c.kernel[0]; ++kd) {
        int64_t id = o[0] * c.stride[0] - c.padding[0] + kd * c.dilation[0];
        if (id < 0 || id >= c.in[0]) continue;
        for (int64_t kh = 0; kh < c.kernel[1]; ++kh) {
          int64_t ih = o[1] * c.stride[1] - c.padding[1] + kh * c.dilation[1];
          if (ih < 0 || ih >= c.in[1]) continue;
          for (int64_t kw = 0; kw < c.kernel[2]; ++kw) {
            int64_t iw = o[2] * c.stride[2] - c.padding[2] + kw * c.dilation[2];
            if (iw < 0 || iw >= c.in[2]) continue;
            acc += static_cast<double>(xp[(id * c.in[1] + ih) * c.in[2] + iw]) *
                   static_cast<double>(wp[(kd * c.kernel[1] + kh) * c.kernel[2] + kw]);
          }
        }
      }
    }
    out[i] = static_cast<T>(acc);
  }
}

// Output position along one dim that kernel tap k reads input position `in` from, or -1.
__device__ inline int64_t source_output(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dil, int64_t out_size) {
  int64_t t = in + pad - k * dil;
  if (t < 0 || t % stride != 0) return -1;
  t /= stride;
  return t < out_size ? t : -1;
}

template <typename T>
__global__ void conv_backward_data_kernel(T* gx, const T* go, const T* w, Conv3Params c) {
  int64_t total = c.batch * c.in_channels * vol(c.in);
  int64_t in_pg = c.in_channels / c.groups, out_pg = c.out_channels / c.groups;
  GAZE_GRID_STRIDE(i, total) {
    int64_t p[3];
    int64_t nc = split3(i, c.in, p);
    int64_t n = nc / c.in_channels, ic = nc % c.in_channels, g = ic / in_pg, ci = ic % in_pg;
    double acc = 0.0;
    for (int64_t kd = 0; kd < c.kernel[0]; ++kd) {
      int64_t od = source_output(p[0], kd, c.stride[0], c.padding[0], c.dilation[0], c.out[0]);
      if (od < 0) continue;
      for (int64_t kh = 0; kh < c.kernel[1]; ++kh) {
        int64_t oh = source_output(p[1], kh, c.stride[1], c.padding[1], c.dilation[1], c.out[1]);
        if (oh < 0) continue;
        for (int64_t kw = 0; kw < c.kernel[2]; ++kw) {
          int64_t ow = source_output(p[2], kw, c.stride[2], c.padding[2], c.dilation[2], c.out[2]);
          if (ow < 0) continue;
          for (int64_t oc = g * out_pg; oc < (g + 1) * out_pg; ++oc)
            acc += static_cast<double>(go[(n * c.out_channels + oc) * vol(c.out) + (od * c.out[1] + oh) * c.out[2] + ow]) *
                   static_cast<double>(w[(oc * in_pg + ci) * vol(c.kernel) + (kd * c.kernel[1] + kh) * c.kernel[2] + kw]);
        }
      }
    }
    gx[i] = static_cast<T>(acc);
  }
}

template <typename T>
__global__ void conv_backward_weight_kernel(T* gw, const T* go, const T* x, Conv3Params c) {
  int64_t in_pg = c.in_channels / c.groups, out_pg = c.out_channels / c.groups;
  int64_t total = c.out_channels * in_pg * vol(c.kernel);
  GAZE_GRID_STRIDE(i, total) {
    int64_t k[3];
    int64_t oc_ci = split3(i, c.kernel, k);
    int64_t oc = oc_ci / in_pg, ci = oc_ci % in_pg, g = oc / out_pg;
    double acc = 0.0;
    for (int64_t n = 0; n < c.batch; ++n) {
      const T* xp = x + (n * c.in_channels + g * in_pg + ci) * vol(c.in);
      const T* gp = go + (n * c.out_channels + oc) * vol(c.out);
      for (int64_t od = 0; od < c.out[0]; ++od) {
        int64_t id = od * c.stride[0] - c.padding[0] + k[0] * c.dilation[0];
        if (id < 0 || id >= c.in[0]) continue;
        for (int64_t oh = 0; oh < c.out[1]; ++oh) {
          int64_t ih = oh * c.stride[1] - c.padding[1] + k[1] * c.dilation[1];
          if (ih < 0 || ih >= c.in[1]) continue;
          for (int64_t ow = 0; ow < c.out[2]; ++ow) {
            int64_t iw = ow * c.stride[2] - c.padding[2] + k[2] * c.dilation[2];
            if (iw < 0 || iw >= c.in[2]) continue;
            acc += static_cast<double>(gp[(od * c.out[1] + oh) * c.out[2] + ow]) *
                   static_cast<double>(xp[(id * c.in[1] + ih) * c.in[2] + iw]);
          }
        }
      }
    }
    gw[i] = static_cast<T>(acc);
  }
}

}  // namespace

void launch_conv_direct_forward(DType dtype, void* out, const void* x, const void* weight, const Conv3Params& c,
                                cudaStream_t stream) {
  int64_t total = c.batch * c.out_channels * c.out[0] * c.out[1] * c.out[2];
  if (total == 0) return;
  if (dtype == DType::f64)
    conv_forward_kernel<double><<<grid_for(total), kThreads, 0, stream>>>(static_cast<double*>(out), static_cast<const double*>(x),
                                                                          static_cast<const double*>(weight), c);
  else
    conv_forward_kernel<float><<<grid_for(total), kThreads, 0, stream>>>(static_cast<float*>(out), static_cast<const float*>(x),
                                                                         static_cast<const float*>(weight), c);
  GAZE_CUDA_CHECK_LAUNCH("conv_forward_kernel");
}

void launch_conv_direct_backward_data(DType dtype, void* grad_x, const void* grad_out, const void* weight,
                                      const Conv3Params& c, cudaStream_t stream) {
  int64_t total = c.batch * c.in_channels * c.in[0] * c.in[1] * c.in[2];
  if (total == 0) return;
  if (dtype == DType::f64)
    conv_backward_data_kernel<double><<<grid_for(total), kThreads, 0, stream>>>(
        static_cast<double*>(grad_x), static_cast<const double*>(grad_out), static_cast<const double*>(weight), c);
  else
    conv_backward_data_kernel<float><<<grid_for(total), kThreads, 0, stream>>>(
        static_cast<float*>(grad_x), static_cast<const float*>(grad_out), static_cast<const float*>(weight), c);
  GAZE_CUDA_CHECK_LAUNCH("conv_backward_data_kernel");
}

void launch_conv_direct_backward_weight(DType dtype, void* grad_weight, const void* grad_out, const void* x,
                                        const Conv3Params& c, cudaStream_t stream) {
  int64_t total = c.out_channels * (c.in_channels / c.groups) * c.kernel[0] * c.kernel[1] * c.kernel[2];
  if (total == 0) return;
  if (dtype == DType::f64)
    conv_backward_weight_kernel<double><<<grid_for(total), kThreads, 0, stream>>>(
        static_cast<double*>(grad_weight), static_cast<const double*>(grad_out), static_cast<const double*>(x), c);
  else
    conv_backward_weight_kernel<float><<<grid_for(total), kThreads, 0, stream>>>(
        static_cast<float*>(grad_weight), static_cast<const float*>(grad_out), static_cast<const float*>(x), c);
  GAZE_CUDA_CHECK_LAUNCH("conv_backward_weight_kernel");
}

}  // namespace gaze::cuda
