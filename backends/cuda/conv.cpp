// CudaBackend convolution: cuDNN (legacy Nd API) for forward, backward-data and backward-weight,
// 1D to 3D, groups and dilation, f32 and f64. The algorithm for each problem (shapes, params,
// dtype, pass) is chosen once with cuDNN's heuristics (cudnnGet*Algorithm_v7, what PyTorch uses
// by default) and cached per device; its workspace comes from the caching allocator. A problem
// cuDNN has no algorithm for runs on the direct kernels of conv_direct.cu instead — still on the GPU.
//
// Math: f32 runs with CUDNN_FMA_MATH (no TF32) so results match the reference to f32 precision;
// GAZE_CUDA_TF32=1 allows TF32 tensor cores (PyTorch's default for convolutions).
#include <cudnn.h>

#include <map>
#include <mutex>

#include "backends/cuda/check.h"
#include "backends/cuda/context.h"
#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/cuda_memory.h"
#include "backends/cuda/kernels.h"
#include "backends/cuda/plan/plan.h"
#include "framework/error.h"

namespace gaze {
using namespace cuda;

namespace {

enum class Pass { forward, backward_data, backward_weight };

// The cuDNN descriptors of one problem, destroyed at scope end.
struct ConvDescriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;

  ConvDescriptors(const ConvPlan& plan, DType dtype) {
    cudnnDataType_t type = dtype == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
    int rank = static_cast<int>(plan.x_dims.size());
    GAZE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&x));
    GAZE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&y));
    GAZE_CUDNN_CHECK(cudnnCreateFilterDescriptor(&w));
    GAZE_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&conv));
    GAZE_CUDNN_CHECK(cudnnSetTensorNdDescriptor(x, type, rank, plan.x_dims.data(), plan.x_strides.data()));
    GAZE_CUDNN_CHECK(cudnnSetTensorNdDescriptor(y, type, rank, plan.y_dims.data(), plan.y_strides.data()));
    GAZE_CUDNN_CHECK(cudnnSetFilterNdDescriptor(w, type, CUDNN_TENSOR_NCHW, rank, plan.w_dims.data()));
    GAZE_CUDNN_CHECK(cudnnSetConvolutionNdDescriptor(conv, plan.spatial, plan.padding.data(), plan.stride.data(),
                                                     plan.dilation.data(), CUDNN_CROSS_CORRELATION, type));
    GAZE_CUDNN_CHECK(cudnnSetConvolutionGroupCount(conv, plan.groups));
    cudnnMathType_t math = dtype == DType::f32 && !allow_tf32() ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
    GAZE_CUDNN_CHECK(cudnnSetConvolutionMathType(conv, math));
  }
  ~ConvDescriptors() {
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (x) cudnnDestroyTensorDescriptor(x);
  }
  ConvDescriptors(const ConvDescriptors&) = delete;
  ConvDescriptors& operator=(const ConvDescriptors&) = delete;
};

// What runs a problem: a cuDNN algorithm (as int: the three passes have their own enums) and its
// workspace, or the direct kernels.
struct Choice {
  bool cudnn = false;
  int algo = 0;
  size_t workspace = 0;
};

struct ChoiceCache {
  std::mutex mutex;
  std::map<std::string, Choice> choices;  // "device/pass/plan.key"
};

ChoiceCache& cache() {
  static ChoiceCache* instance = new ChoiceCache;
  return *instance;
}

std::string cache_key(Pass pass, const ConvPlan& plan) {
  return fmt::format("{}/{}/{}{}", current_device(), static_cast<int>(pass), plan.key, allow_tf32() ? "/tf32" : "");
}

// The best-ranked algorithm cuDNN's heuristics report as usable, with its workspace size.
Choice query(Pass pass, cudnnHandle_t handle, const ConvDescriptors& d) {
  Choice c;
  int returned = 0;
  cudnnStatus_t status = CUDNN_STATUS_SUCCESS;
  if (pass == Pass::forward) {
    cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    status = cudnnGetConvolutionForwardAlgorithm_v7(handle, d.x, d.w, d.conv, d.y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, perf);
    for (int i = 0; status == CUDNN_STATUS_SUCCESS && i < returned && !c.cudnn; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS) c = {true, static_cast<int>(perf[i].algo), 0};
    if (c.cudnn)
      GAZE_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y,
                                                               static_cast<cudnnConvolutionFwdAlgo_t>(c.algo), &c.workspace));
  } else if (pass == Pass::backward_data) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    status = cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, d.w, d.y, d.conv, d.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                                                         &returned, perf);
    for (int i = 0; status == CUDNN_STATUS_SUCCESS && i < returned && !c.cudnn; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS) c = {true, static_cast<int>(perf[i].algo), 0};
    if (c.cudnn)
      GAZE_CUDNN_CHECK(cudnnGetConvolutionBackwardDataWorkspaceSize(
          handle, d.w, d.y, d.conv, d.x, static_cast<cudnnConvolutionBwdDataAlgo_t>(c.algo), &c.workspace));
  } else {
    cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    status = cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, d.x, d.y, d.conv, d.w,
                                                           CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &returned, perf);
    for (int i = 0; status == CUDNN_STATUS_SUCCESS && i < returned && !c.cudnn; ++i)
      if (perf[i].status == CUDNN_STATUS_SUCCESS) c = {true, static_cast<int>(perf[i].algo), 0};
    if (c.cudnn)
      GAZE_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterWorkspaceSize(
          handle, d.x, d.y, d.conv, d.w, static_cast<cudnnConvolutionBwdFilterAlgo_t>(c.algo), &c.workspace));
  }
  if (status != CUDNN_STATUS_SUCCESS && status != CUDNN_STATUS_NOT_SUPPORTED)
    check_cudnn(status, "cudnnGetConvolution*Algorithm_v7");
  return c;
}

// Runs `pass` with cuDNN when it has an algorithm, else with the direct kernels.
// Operands: forward (out = y, a = x, b = w); backward_data (out = dx, a = dy, b = w);
// backward_weight (out = dw, a = dy, b = x).
void convolve(Pass pass, const char* op, const KernelArg& out, const KernelArg& a, const KernelArg& b,
              const KernelArg& x_shape, const KernelArg& w_shape, const KernelArg& y_shape, const ConvParams& p) {
  if (out.dtype != a.dtype || out.dtype != b.dtype || !is_floating(out.dtype))
    fail("cuda {}: operands must share one floating dtype (got {}, {}, {})", op, dtype_name(out.dtype), dtype_name(a.dtype),
         dtype_name(b.dtype));
  Conv3Params direct = conv3_params(x_shape, w_shape, y_shape, p, op);  // checks the geometry
  DeviceContext& ctx = current_context();
  auto run_direct = [&] {
    if (pass == Pass::forward) launch_conv_direct_forward(out.dtype, out.data, a.data, b.data, direct, ctx.stream());
    else if (pass == Pass::backward_data) launch_conv_direct_backward_data(out.dtype, out.data, a.data, b.data, direct, ctx.stream());
    else launch_conv_direct_backward_weight(out.dtype, out.data, a.data, b.data, direct, ctx.stream());
  };
  if (out.numel() == 0) return;
  ConvPlan plan;
  try {
    plan = conv_plan(x_shape, w_shape, y_shape, p, op);
  } catch (const Error&) {
    run_direct();  // sizes past cuDNN's 32-bit descriptors
    return;
  }
  ConvDescriptors d(plan, out.dtype);
  cudnnHandle_t handle = ctx.cudnn();
  std::string key = cache_key(pass, plan);
  Choice choice;
  {
    std::lock_guard<std::mutex> lock(cache().mutex);
    auto it = cache().choices.find(key);
    if (it == cache().choices.end()) it = cache().choices.emplace(key, query(pass, handle, d)).first;
    choice = it->second;
  }
  if (!choice.cudnn) {
    run_direct();
    return;
  }
  DeviceBuffer workspace(choice.workspace);
  cudnnStatus_t status;
  if (out.dtype == DType::f64) {
    const double one = 1.0, zero = 0.0;
    if (pass == Pass::forward)
      status = cudnnConvolutionForward(handle, &one, d.x, a.data, d.w, b.data, d.conv, static_cast<cudnnConvolutionFwdAlgo_t>(choice.algo),
                                       workspace.data(), choice.workspace, &zero, d.y, out.data);
    else if (pass == Pass::backward_data)
      status = cudnnConvolutionBackwardData(handle, &one, d.w, b.data, d.y, a.data, d.conv,
                                            static_cast<cudnnConvolutionBwdDataAlgo_t>(choice.algo), workspace.data(),
                                            choice.workspace, &zero, d.x, out.data);
    else
      status = cudnnConvolutionBackwardFilter(handle, &one, d.x, b.data, d.y, a.data, d.conv,
                                              static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice.algo), workspace.data(),
                                              choice.workspace, &zero, d.w, out.data);
  } else {
    const float one = 1.0f, zero = 0.0f;
    if (pass == Pass::forward)
      status = cudnnConvolutionForward(handle, &one, d.x, a.data, d.w, b.data, d.conv, static_cast<cudnnConvolutionFwdAlgo_t>(choice.algo),
                                       workspace.data(), choice.workspace, &zero, d.y, out.data);
    else if (pass == Pass::backward_data)
      status = cudnnConvolutionBackwardData(handle, &one, d.w, b.data, d.y, a.data, d.conv,
                                            static_cast<cudnnConvolutionBwdDataAlgo_t>(choice.algo), workspace.data(),
                                            choice.workspace, &zero, d.x, out.data);
    else
      status = cudnnConvolutionBackwardFilter(handle, &one, d.x, b.data, d.y, a.data, d.conv,
                                              static_cast<cudnnConvolutionBwdFilterAlgo_t>(choice.algo), workspace.data(),
                                              choice.workspace, &zero, d.w, out.data);
  }
  if (status == CUDNN_STATUS_NOT_SUPPORTED) {  // the heuristics promised more than the engine does
    std::lock_guard<std::mutex> lock(cache().mutex);
    cache().choices[key] = Choice{};
    run_direct();
    return;
  }
  check_cudnn(status, pass == Pass::forward ? "cudnnConvolutionForward"
                      : pass == Pass::backward_data ? "cudnnConvolutionBackwardData" : "cudnnConvolutionBackwardFilter");
}

}  // namespace

void CudaBackend::conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight, const ConvParams& p) {
  convolve(Pass::forward, "conv_forward", out, x, weight, x, weight, out, p);
}

void CudaBackend::conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out, const KernelArg& weight,
                                     const ConvParams& p) {
  convolve(Pass::backward_data, "conv_backward_data", grad_x, grad_out, weight, grad_x, weight, grad_out, p);
}

void CudaBackend::conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out, const KernelArg& x,
                                       const ConvParams& p) {
  convolve(Pass::backward_weight, "conv_backward_weight", grad_weight, grad_out, x, x, grad_weight, grad_out, p);
}

}  // namespace gaze
