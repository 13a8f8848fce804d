#include "autograd/gradcheck.h"

#include <cmath>

#include "autograd/elementwise.h"
#include "autograd/grad_mode.h"
#include "autograd/reduce.h"
#include "framework/error.h"

namespace gaze {

namespace {

// Storage offset of the element at row-major position `linear` (views included).
int64_t storage_offset(const Tensor& t, int64_t linear) {
  int64_t offset = t.offset();
  for (int64_t d = t.dim() - 1; d >= 0; --d) {
    offset += (linear % t.shape()[d]) * t.strides()[d];
    linear /= t.shape()[d];
  }
  return offset;
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                          const std::vector<Tensor>& inputs, const GradcheckOptions& options) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined() || !inputs[i].requires_grad()) continue;
    if (inputs[i].dtype() != DType::f64) fail("gradcheck: input {} is {}, expected f64", i, dtype_name(inputs[i].dtype()));
    if (!inputs[i].is_leaf()) fail("gradcheck: input {} is not a leaf; pass leaves (detach() and set_requires_grad)", i);
    inputs[i].impl()->grad.reset();
  }
  Tensor out = fn(inputs);
  if (out.dtype() != DType::f64) fail("gradcheck: the function returned {}, expected f64", dtype_name(out.dtype()));
  Generator generator(options.seed);
  Tensor v = randn(out.shape(), DType::f64, &generator);
  out.backward(v);

  GradcheckResult result;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& input = inputs[i];
    if (!input.defined() || !input.requires_grad()) continue;
    Tensor analytic = input.grad();
    std::vector<double> analytic_values =
        analytic.defined() ? analytic.to_vector<double>() : std::vector<double>(input.numel(), 0.0);
    if (!input.device().is_cpu())
      fail("gradcheck: input {} is on {}; gradcheck perturbs elements from the host, so run it on CPU tensors", i,
           input.device().str());
    double* base = static_cast<double*>(input.storage()->data());
    NoGradGuard no_grad;
    for (int64_t e = 0; e < input.numel(); ++e) {
      double& element = base[storage_offset(input, e)];
      double saved = element;
      element = saved + options.eps;
      double plus = sum(mul(fn(inputs), v)).item();
      element = saved - options.eps;
      double minus = sum(mul(fn(inputs), v)).item();
      element = saved;
      double numeric = (plus - minus) / (2.0 * options.eps);
      double a = analytic_values[e];
      if (!(std::abs(a - numeric) <= options.atol + options.rtol * std::abs(numeric))) {
        result.ok = false;
        result.message = fmt::format("input {} (shape {}), element {}: backward gives {:.10g}, finite differences give {:.10g}",
                                     i, shape_str(input.shape()), e, a, numeric);
        return result;
      }
    }
  }
  return result;
}

}  // namespace gaze
