#include "autograd/elementwise.h"

#include "autograd/op_support.h"
#include "autograd/reduce.h"

namespace gaze {
using namespace autograd;

namespace {

// A one-element CPU tensor that needs no gradient, combined with a GPU tensor, is moved to the
// GPU (PyTorch's rule for scalars): `x * scalar_tensor(2.0)` works on either device.
Tensor to_operand_device(const Tensor& t, const Tensor& other) {
  if (t.defined() && other.defined() && t.device().is_cpu() && !other.device().is_cpu() && t.numel() == 1 &&
      !t.requires_grad())
    return t.to(other.device());
  return t;
}

Tensor binary_raw(BinaryOp op, const Tensor& a_in, const Tensor& b_in) {
  const char* name = binary_op_name(op);
  Tensor a = to_operand_device(a_in, b_in), b = to_operand_device(b_in, a_in);
  check_same_dtype(name, a, b);
  Shape shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = empty(shape, a.dtype(), a.device());
  backend(Op::binary, a).binary(op, out.arg(), broadcast_arg(a, shape), broadcast_arg(b, shape));
  return out;
}

Tensor scalar_like(double value, const Tensor& like) {
  check_defined("scalar operand", like);
  return scalar_tensor(value, like.dtype(), like.device());
}

// Which of x and y = f(x) the derivative of each unary op reads: the rest is not saved.
bool derivative_reads_output(UnaryOp op) {
  return op == UnaryOp::exp || op == UnaryOp::sqrt || op == UnaryOp::sigmoid || op == UnaryOp::tanh;
}

Tensor unary_op(UnaryOp op, const Tensor& x, UnaryParams params = {}) {
  const char* name = unary_op_name(op);
  check_floating(name, x);
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  backend(Op::unary, x).unary(op, out.arg(), x.arg(), params);
  Tensor saved;
  if (will_need_grad(x)) saved = derivative_reads_output(op) ? out.detach() : x.detach();
  return record(name, out, {x}, [op, params, saved](const Tensor& g, const Node&) -> Grads {
    Tensor gx = empty(g.shape(), g.dtype(), g.device());
    Tensor s = saved.defined() ? saved : g;  // neg reads neither
    backend(Op::unary_backward, g).unary_backward(op, gx.arg(), g.arg(), s.arg(), s.arg(), params);
    return {gx};
  });
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(BinaryOp::add, a, b);
  return record("add", out, {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& n) -> Grads {
    return {n.needs(0) ? sum_to(g, sa) : Tensor(), n.needs(1) ? sum_to(g, sb) : Tensor()};
  });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(BinaryOp::sub, a, b);
  return record("sub", out, {a, b}, [sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& n) -> Grads {
    return {n.needs(0) ? sum_to(g, sa) : Tensor(), n.needs(1) ? neg(sum_to(g, sb)) : Tensor()};
  });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(BinaryOp::mul, a, b);
  Tensor saved_a = will_need_grad(b) ? a.detach() : Tensor();
  Tensor saved_b = will_need_grad(a) ? b.detach() : Tensor();
  return record("mul", out, {a, b}, [saved_a, saved_b, sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& n) -> Grads {
    return {n.needs(0) ? sum_to(mul(g, saved_b), sa) : Tensor(),
            n.needs(1) ? sum_to(mul(g, saved_a), sb) : Tensor()};
  });
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(BinaryOp::div, a, b);
  Tensor saved_b = will_need_grad(a) || will_need_grad(b) ? b.detach() : Tensor();
  Tensor saved_out = will_need_grad(b) ? out.detach() : Tensor();
  return record("div", out, {a, b}, [saved_b, saved_out, sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& n) -> Grads {
    Tensor g_over_b = div(g, saved_b);
    return {n.needs(0) ? sum_to(g_over_b, sa) : Tensor(),
            n.needs(1) ? sum_to(neg(mul(g_over_b, saved_out)), sb) : Tensor()};
  });
}

Tensor pow(const Tensor& a, const Tensor& exponent) {
  check_floating("pow", a);
  Tensor out = binary_raw(BinaryOp::pow, a, exponent);
  Tensor saved_a = a.detach(), saved_e = exponent.detach();
  Tensor saved_out = will_need_grad(exponent) ? out.detach() : Tensor();
  return record("pow", out, {a, exponent}, [saved_a, saved_e, saved_out, sa = a.shape(), se = exponent.shape()](const Tensor& g, const Node& n) -> Grads {
    Grads grads(2);
    // d/da a^e = e·a^(e-1); d/de a^e = a^e·log(a)
    if (n.needs(0)) grads[0] = sum_to(mul(g, mul(saved_e, pow(saved_a, sub(saved_e, scalar_like(1.0, saved_e))))), sa);
    if (n.needs(1)) grads[1] = sum_to(mul(g, mul(saved_out, log(saved_a))), se);
    return grads;
  });
}

Tensor pow(const Tensor& a, double exponent) { return unary_op(UnaryOp::pow, a, {exponent, 0.0}); }

namespace {

// maximum/minimum: the gradient goes to the chosen operand, half to each on ties.
Tensor extremum(BinaryOp op, const Tensor& a, const Tensor& b) {
  Tensor out = binary_raw(op, a, b);
  Tensor saved_a = a.detach(), saved_b = b.detach();
  return record(binary_op_name(op), out, {a, b}, [op, saved_a, saved_b, sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& n) -> Grads {
    Tensor wins_a = op == BinaryOp::maximum ? gt(saved_a, saved_b) : lt(saved_a, saved_b);
    Tensor share_a = add(wins_a, mul(eq(saved_a, saved_b), scalar_like(0.5, g)));
    Tensor share_b = sub(scalar_like(1.0, g), share_a);
    return {n.needs(0) ? sum_to(mul(g, share_a), sa) : Tensor(),
            n.needs(1) ? sum_to(mul(g, share_b), sb) : Tensor()};
  });
}

}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(BinaryOp::maximum, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(BinaryOp::minimum, a, b); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }
Tensor operator-(const Tensor& a) { return neg(a); }

Tensor neg(const Tensor& x) { return unary_op(UnaryOp::neg, x); }
Tensor exp(const Tensor& x) { return unary_op(UnaryOp::exp, x); }
Tensor log(const Tensor& x) { return unary_op(UnaryOp::log, x); }
Tensor sqrt(const Tensor& x) { return unary_op(UnaryOp::sqrt, x); }
Tensor abs(const Tensor& x) { return unary_op(UnaryOp::abs, x); }
Tensor square(const Tensor& x) { return unary_op(UnaryOp::pow, x, {2.0, 0.0}); }
Tensor clamp(const Tensor& x, double min, double max) {
  if (min > max) fail("clamp: min {} is greater than max {}", min, max);
  return unary_op(UnaryOp::clamp, x, {min, max});
}
Tensor relu(const Tensor& x) { return unary_op(UnaryOp::relu, x); }
Tensor leaky_relu(const Tensor& x, double slope) { return unary_op(UnaryOp::leaky_relu, x, {slope, 0.0}); }
Tensor sigmoid(const Tensor& x) { return unary_op(UnaryOp::sigmoid, x); }
Tensor tanh(const Tensor& x) { return unary_op(UnaryOp::tanh, x); }

Tensor eq(const Tensor& a, const Tensor& b) { return binary_raw(BinaryOp::eq, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return binary_raw(BinaryOp::gt, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return binary_raw(BinaryOp::lt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return binary_raw(BinaryOp::ge, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return binary_raw(BinaryOp::le, a, b); }

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  Tensor c = cond.detach();
  return add(mul(c, a), mul(sub(scalar_like(1.0, c), c), b));
}

Tensor to_dtype(const Tensor& x, DType dtype) {
  check_defined("to_dtype", x);
  if (x.dtype() == dtype) return x;
  Tensor out = empty(x.shape(), dtype, x.device());
  backend(Op::copy, out).copy(out.arg(), x.arg());
  if (!is_floating(dtype) || !is_floating(x.dtype())) return out;
  return record("to_dtype", out, {x}, [from = x.dtype()](const Tensor& g, const Node&) -> Grads {
    return {to_dtype(g, from)};
  });
}

namespace {

// Inverted dropout with one keep/drop draw per element of `mask_shape` (x's shape, or [N, C, 1, ...]
// to drop whole channels), broadcast over x.
Tensor dropout_with_mask(const char* op, const Tensor& x, double p, bool training, const Shape& mask_shape,
                         Generator* generator) {
  if (p < 0.0 || p > 1.0) fail("{}: probability {} is outside [0, 1]", op, p);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return mul(x, zeros(mask_shape, x.dtype(), x.device()));
  // Drawn on the host from the seeded generator (the same mask on every device), then moved.
  Tensor keep = ge(rand(mask_shape, x.dtype(), generator).to(x.device()), scalar_like(p, x));
  return mul(x, mul(keep, scalar_like(1.0 / (1.0 - p), x)));
}

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training, Generator* generator) {
  check_floating("dropout", x);
  return dropout_with_mask("dropout", x, p, training, x.shape(), generator);
}

Tensor channel_dropout(const Tensor& x, double p, bool training, Generator* generator) {
  check_floating("channel_dropout", x);
  if (x.dim() < 2) fail("channel_dropout: expected [N, C, *], got shape {}", shape_str(x.shape()));
  Shape mask_shape(x.dim(), 1);
  mask_shape[0] = x.shape()[0];
  mask_shape[1] = x.shape()[1];
  return dropout_with_mask("channel_dropout", x, p, training, mask_shape, generator);
}

}  // namespace gaze
