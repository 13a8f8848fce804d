// Unary ops and their gradients as oneDNN eltwise primitives. The arrays must be contiguous with
// equal shapes, so they are handed over as flat vectors: one primitive per (op, size). Strided
// or broadcast (stride 0) arguments go to the parent.
#include <cmath>
#include <limits>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

// One unary op in oneDNN's terms. dst_for_backward: the derivative reads y (the *_use_dst_for_bwd
// algorithms, whose forward is the plain one).
struct Eltwise {
  dnnl::algorithm algorithm;
  float alpha = 0.0f, beta = 0.0f;
  bool dst_for_backward = false;
};

Eltwise eltwise(UnaryOp op, const UnaryParams& p) {
  using dnnl::algorithm;
  float alpha = static_cast<float>(p.alpha), beta = static_cast<float>(p.beta);
  switch (op) {
    case UnaryOp::neg: return {algorithm::eltwise_linear, -1.0f, 0.0f};
    case UnaryOp::exp: return {algorithm::eltwise_exp_use_dst_for_bwd, 0.0f, 0.0f, true};
    case UnaryOp::log: return {algorithm::eltwise_log};
    case UnaryOp::sqrt: return {algorithm::eltwise_sqrt_use_dst_for_bwd, 0.0f, 0.0f, true};
    case UnaryOp::abs: return {algorithm::eltwise_abs};
    case UnaryOp::relu: return {algorithm::eltwise_relu};
    case UnaryOp::leaky_relu: return {algorithm::eltwise_relu, alpha};
    case UnaryOp::sigmoid: return {algorithm::eltwise_logistic_use_dst_for_bwd, 0.0f, 0.0f, true};
    case UnaryOp::tanh: return {algorithm::eltwise_tanh_use_dst_for_bwd, 0.0f, 0.0f, true};
    case UnaryOp::clamp: return {algorithm::eltwise_clip, alpha, beta};
    case UnaryOp::pow: return {algorithm::eltwise_pow, 1.0f, alpha};  // 1·x^p
  }
  fail("onednn: unknown unary op {}", static_cast<int>(op));
}

// oneDNN's clip passes the gradient where min < x <= max; PyTorch (and the reference) where
// min <= x <= max. Lowering min to the next float below makes the two conditions the same for
// every float x; an infinite min has no float below it and goes to the parent.
Eltwise backward_eltwise(UnaryOp op, const UnaryParams& p) {
  Eltwise e = eltwise(op, p);
  if (op == UnaryOp::clamp)
    e.alpha = std::nextafter(e.alpha, -std::numeric_limits<float>::infinity());
  return e;
}

bool expressible(UnaryOp op, const UnaryParams& p) {
  return op != UnaryOp::clamp || std::isfinite(static_cast<float>(p.alpha));
}

dnnl::eltwise_forward::primitive_desc forward_pd(const Eltwise& e, int64_t n) {
  return {{dnnl::prop_kind::forward_training, e.algorithm, f32_desc({n}), e.alpha, e.beta},
          engine()};
}

std::string key(const char* kernel, const Eltwise& e, int64_t n) {
  return fmt::format("{} {} {} {} {}", kernel, static_cast<int>(e.algorithm), e.alpha, e.beta, n);
}

struct EltwiseForwardEntry {
  dnnl::eltwise_forward primitive;
};

struct BackwardEntry {
  dnnl::eltwise_backward primitive;
};

}  // namespace

void OnednnBackend::unary(UnaryOp op, const KernelArg& out, const KernelArg& x,
                          const UnaryParams& p) {
  if (!all_f32({&out, &x}) || !all_dense({&out, &x}) || out.shape != x.shape ||
      !expressible(op, p))
    return OpenblasBackend::unary(op, out, x, p);
  guarded(unary_op_name(op), {&out, &x}, [&] {
    Eltwise e = eltwise(op, p);
    int64_t n = x.numel();
    auto entry = cached<EltwiseForwardEntry>(key("unary", e, n), [&] {
      return EltwiseForwardEntry{dnnl::eltwise_forward(forward_pd(e, n))};
    });
    dnnl::memory::desc flat = f32_desc({n});
    execute(entry->primitive, {{DNNL_ARG_SRC, wrap(flat, x.data)}, {DNNL_ARG_DST, wrap(flat, out.data)}});
  });
}

void OnednnBackend::unary_backward(UnaryOp op, const KernelArg& grad_x, const KernelArg& grad_y,
                                   const KernelArg& x, const KernelArg& y, const UnaryParams& p) {
  if (!all_f32({&grad_x, &grad_y, &x, &y}) || !all_dense({&grad_x, &grad_y, &x, &y}) ||
      grad_x.shape != x.shape || grad_y.shape != x.shape || y.shape != x.shape ||
      !expressible(op, p))
    return OpenblasBackend::unary_backward(op, grad_x, grad_y, x, y, p);
  guarded(unary_op_name(op), {&grad_x, &grad_y, &x, &y}, [&] {
    Eltwise e = backward_eltwise(op, p);
    int64_t n = x.numel();
    auto entry = cached<BackwardEntry>(key("unary_backward", e, n), [&] {
      dnnl::memory::desc flat = f32_desc({n});
      dnnl::eltwise_backward::primitive_desc pd({e.algorithm, flat, flat, e.alpha, e.beta},
                                                engine(), forward_pd(e, n));
      return BackwardEntry{dnnl::eltwise_backward(pd)};
    });
    dnnl::memory::desc flat = f32_desc({n});
    execute(entry->primitive,
            {{e.dst_for_backward ? DNNL_ARG_DST : DNNL_ARG_SRC,
              wrap(flat, e.dst_for_backward ? y.data : x.data)},
             {DNNL_ARG_DIFF_DST, wrap(flat, grad_y.data)},
             {DNNL_ARG_DIFF_SRC, wrap(flat, grad_x.data)}});
  });
}

}  // namespace gaze
