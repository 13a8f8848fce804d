// Batch norm (training statistics) and softmax / log-softmax as oneDNN primitives on our plain
// layouts. Each sees the array in one fixed rank ([N, C, inner, 1] and [outer, size, inner]),
// the same memory, so there is one primitive per distinct problem whatever the rank.
#include <cmath>
#include <optional>
#include <vector>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

// 4D because oneDNN 2.6 has only its slow reference batch norm for 3D plain data.
Shape channel_view(const KernelArg& x) {
  return {x.shape[0], x.shape[1], x.numel() / (x.shape[0] * x.shape[1]), 1};
}

bool is_vector(const KernelArg& a, int64_t c) {
  return a.data == nullptr || (a.dim() == 1 && a.shape[0] == c);
}

dnnl::normalization_flags bn_flags(bool scale, bool shift) {
  auto flags = dnnl::normalization_flags::none;
  if (scale) flags |= dnnl::normalization_flags::use_scale;
  if (shift) flags |= dnnl::normalization_flags::use_shift;
  return flags;
}

dnnl::batch_normalization_forward::primitive_desc bn_forward_pd(const dnnl::memory::desc& data,
                                                                float eps,
                                                                dnnl::normalization_flags flags) {
  return {{dnnl::prop_kind::forward_training, data, eps, flags}, engine()};
}

struct BatchNormEntry {
  dnnl::batch_normalization_forward primitive;
};

struct BatchNormBackwardEntry {
  dnnl::batch_normalization_backward primitive;
};

}  // namespace

void OnednnBackend::batch_norm_forward(const KernelArg& out, const KernelArg& save_mean,
                                       const KernelArg& save_invstd, const KernelArg& x,
                                       const KernelArg& weight, const KernelArg& bias, double eps) {
  bool ok = x.dim() >= 2 && out.shape == x.shape && save_mean.data && save_invstd.data &&
            all_f32({&out, &save_mean, &save_invstd, &x, &weight, &bias}) &&
            all_dense({&out, &save_mean, &save_invstd, &x, &weight, &bias});
  int64_t c = ok ? x.shape[1] : 0;
  if (!ok || !is_vector(save_mean, c) || !is_vector(save_invstd, c) || !is_vector(weight, c) ||
      !is_vector(bias, c))
    return OpenblasBackend::batch_norm_forward(out, save_mean, save_invstd, x, weight, bias, eps);
  guarded("batch_norm_forward", {&out, &x, &weight, &bias}, [&] {
    Shape view = channel_view(x);
    auto flags = bn_flags(weight.data != nullptr, bias.data != nullptr);
    auto e = cached<BatchNormEntry>(
        fmt::format("batch_norm_forward {} {} {}", shape_str(view), eps, static_cast<int>(flags)),
        [&] { return BatchNormEntry{dnnl::batch_normalization_forward(
                  bn_forward_pd(f32_desc(view), static_cast<float>(eps), flags))}; });
    // oneDNN returns the biased variance; we keep 1/sqrt(var + eps) as the reference does.
    std::vector<float> variance(c);
    dnnl::memory::desc data = f32_desc(view), channel = f32_desc({c});
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, wrap(data, x.data)},
                                               {DNNL_ARG_DST, wrap(data, out.data)},
                                               {DNNL_ARG_MEAN, wrap(channel, save_mean.data)},
                                               {DNNL_ARG_VARIANCE, wrap(channel, variance.data())}};
    if (weight.data) args.emplace(DNNL_ARG_SCALE, wrap(channel, weight.data));
    if (bias.data) args.emplace(DNNL_ARG_SHIFT, wrap(channel, bias.data));
    execute(e->primitive, args);
    float* invstd = save_invstd.ptr<float>();
    for (int64_t i = 0; i < c; ++i)
      invstd[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance[i]) + eps));
  });
}

void OnednnBackend::batch_norm_backward(const KernelArg& grad_x, const KernelArg& grad_weight,
                                        const KernelArg& grad_bias, const KernelArg& grad_out,
                                        const KernelArg& x, const KernelArg& weight,
                                        const KernelArg& save_mean,
                                        const KernelArg& save_invstd) {
  bool ok = x.dim() >= 2 && grad_out.shape == x.shape &&
            (grad_x.data == nullptr || grad_x.shape == x.shape) &&
            // a weight gradient without a weight has no meaning oneDNN can express
            (grad_weight.data == nullptr || weight.data != nullptr) &&
            all_f32({&grad_x, &grad_weight, &grad_bias, &grad_out, &x, &weight, &save_mean,
                     &save_invstd}) &&
            all_dense({&grad_x, &grad_weight, &grad_bias, &grad_out, &x, &weight, &save_mean,
                       &save_invstd});
  int64_t c = ok ? x.shape[1] : 0;
  if (!ok || !is_vector(grad_weight, c) || !is_vector(grad_bias, c) || !is_vector(weight, c) ||
      !save_mean.data || !is_vector(save_mean, c) || !save_invstd.data ||
      !is_vector(save_invstd, c))
    return OpenblasBackend::batch_norm_backward(grad_x, grad_weight, grad_bias, grad_out, x,
                                                weight, save_mean, save_invstd);
  guarded("batch_norm_backward", {&grad_out, &x, &weight}, [&] {
    Shape view = channel_view(x);
    bool scale = weight.data != nullptr, shift = grad_bias.data != nullptr;
    auto flags = bn_flags(scale, shift);
    auto e = cached<BatchNormBackwardEntry>(
        fmt::format("batch_norm_backward {} {}", shape_str(view), static_cast<int>(flags)), [&] {
          dnnl::memory::desc data = f32_desc(view);
          // The backward gets 1/sqrt(var + eps) but not eps: it is given var' = 1/invstd² and
          // eps = 0, which oneDNN turns back into the same invstd. prop_kind::backward also
          // computes the scale's gradient, but oneDNN 2.6 has no backward_data with a scale.
          dnnl::batch_normalization_backward::primitive_desc pd(
              {dnnl::prop_kind::backward, data, data, 0.0f, flags}, engine(),
              bn_forward_pd(data, 0.0f, flags));
          return BatchNormBackwardEntry{dnnl::batch_normalization_backward(pd)};
        });
    const float* invstd = save_invstd.ptr<float>();
    std::vector<float> variance(c);
    for (int64_t i = 0; i < c; ++i)
      variance[i] = static_cast<float>(1.0 / (static_cast<double>(invstd[i]) * invstd[i]));
    // Gradients the caller does not want still need somewhere to go.
    std::vector<float> spare_x(grad_x.data ? 0 : x.numel());
    std::vector<float> spare_scale(scale && !grad_weight.data ? c : 0);
    dnnl::memory::desc data = f32_desc(view), channel = f32_desc({c});
    std::unordered_map<int, dnnl::memory> args{
        {DNNL_ARG_SRC, wrap(data, x.data)},
        {DNNL_ARG_DIFF_DST, wrap(data, grad_out.data)},
        {DNNL_ARG_MEAN, wrap(channel, save_mean.data)},
        {DNNL_ARG_VARIANCE, wrap(channel, variance.data())},
        {DNNL_ARG_DIFF_SRC, wrap(data, grad_x.data ? grad_x.data : spare_x.data())}};
    if (scale) {
      args.emplace(DNNL_ARG_SCALE, wrap(channel, weight.data));
      args.emplace(DNNL_ARG_DIFF_SCALE,
                   wrap(channel, grad_weight.data ? grad_weight.data : spare_scale.data()));
    }
    // With use_shift oneDNN wants the shift among the inputs although dx does not depend on it.
    std::vector<float> unused_shift(shift ? c : 0);
    if (shift) {
      args.emplace(DNNL_ARG_SHIFT, wrap(channel, unused_shift.data()));
      args.emplace(DNNL_ARG_DIFF_SHIFT, wrap(channel, grad_bias.data));
    }
    execute(e->primitive, args);
  });
}

namespace {

// Empty where oneDNN has only its reference loops (softmax along a dim that is not innermost).
struct SoftmaxEntry {
  std::optional<dnnl::softmax_v2_forward> primitive;
};

struct SoftmaxBackwardEntry {
  std::optional<dnnl::softmax_v2_backward> primitive;
};

// [outer, size, inner] around dim.
Shape axis_view(const KernelArg& x, int64_t dim) {
  Shape v{1, x.shape[dim], 1};
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) v[d < dim ? 0 : 2] *= x.shape[d];
  return v;
}

dnnl::algorithm softmax_algorithm(bool log) {
  return log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
}

dnnl::softmax_v2_forward::primitive_desc softmax_forward_pd(const dnnl::memory::desc& data,
                                                            bool log) {
  return {{dnnl::prop_kind::forward_training, softmax_algorithm(log), data, data, 1}, engine()};
}

}  // namespace

void OnednnBackend::softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim,
                                    bool log) {
  if (!all_f32({&out, &x}) || !all_dense({&out, &x}) || out.shape != x.shape || dim < 0 ||
      dim >= x.dim())
    return OpenblasBackend::softmax_forward(out, x, dim, log);
  Shape view = axis_view(x, dim);
  auto e = guarded("softmax_forward", {&out, &x}, [&] {
    return cached<SoftmaxEntry>(fmt::format("softmax_forward {} {}", shape_str(view), log), [&] {
      auto pd = softmax_forward_pd(f32_desc(view), log);
      if (reference_only(pd)) return SoftmaxEntry{};
      return SoftmaxEntry{dnnl::softmax_v2_forward(pd)};
    });
  });
  if (!e->primitive) return OpenblasBackend::softmax_forward(out, x, dim, log);
  guarded("softmax_forward", {&out, &x}, [&] {
    dnnl::memory::desc data = f32_desc(view);
    execute(*e->primitive,
            {{DNNL_ARG_SRC, wrap(data, x.data)}, {DNNL_ARG_DST, wrap(data, out.data)}});
  });
}

void OnednnBackend::softmax_backward(const KernelArg& grad_x, const KernelArg& grad_y,
                                     const KernelArg& y, int64_t dim, bool log) {
  if (!all_f32({&grad_x, &grad_y, &y}) || !all_dense({&grad_x, &grad_y, &y}) ||
      grad_x.shape != y.shape || grad_y.shape != y.shape || dim < 0 || dim >= y.dim())
    return OpenblasBackend::softmax_backward(grad_x, grad_y, y, dim, log);
  Shape view = axis_view(y, dim);
  auto e = guarded("softmax_backward", {&grad_x, &grad_y, &y}, [&] {
    return cached<SoftmaxBackwardEntry>(
        fmt::format("softmax_backward {} {}", shape_str(view), log), [&] {
          dnnl::memory::desc data = f32_desc(view);
          dnnl::softmax_v2_backward::primitive_desc pd(
              {softmax_algorithm(log), data, data, data, 1}, engine(),
              softmax_forward_pd(data, log));
          if (reference_only(pd)) return SoftmaxBackwardEntry{};
          return SoftmaxBackwardEntry{dnnl::softmax_v2_backward(pd)};
        });
  });
  if (!e->primitive) return OpenblasBackend::softmax_backward(grad_x, grad_y, y, dim, log);
  guarded("softmax_backward", {&grad_x, &grad_y, &y}, [&] {
    dnnl::memory::desc data = f32_desc(view);
    execute(*e->primitive, {{DNNL_ARG_DST, wrap(data, y.data)},
                            {DNNL_ARG_DIFF_DST, wrap(data, grad_y.data)},
                            {DNNL_ARG_DIFF_SRC, wrap(data, grad_x.data)}});
  });
}

}  // namespace gaze
