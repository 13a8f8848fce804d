// Reference kernels: fill, copy, unary and binary elementwise ops, reductions, matmul.
#include <cmath>
#include <limits>

#include "backends/reference/elementwise_math.h"
#include "backends/reference/loops.h"
#include "backends/reference/reference_backend.h"

namespace gaze {
using namespace reference;

bool ReferenceBackend::supports(Op op, DType dtype) const {
  if (is_floating(dtype)) return true;
  // i64 holds labels and indices: it is filled, copied, compared and summed, never trained.
  return op == Op::fill || op == Op::copy || op == Op::binary || op == Op::reduce;
}

void ReferenceBackend::fill(const KernelArg& out, double value) {
  dispatch_all(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.ptr<T>();
    T v = static_cast<T>(value);
    for_each_index<1>(out.shape, {&out.strides}, [&](const auto& off) { o[off[0]] = v; });
  });
}

void ReferenceBackend::copy(const KernelArg& out, const KernelArg& in) {
  if (out.shape != in.shape)
    fail("reference copy: shapes {} and {} differ", shape_str(out.shape), shape_str(in.shape));
  dispatch_all(out.dtype, [&](auto out_zero) {
    using O = decltype(out_zero);
    dispatch_all(in.dtype, [&](auto in_zero) {
      using I = decltype(in_zero);
      O* o = out.ptr<O>();
      const I* i = in.ptr<I>();
      for_each_index<2>(out.shape, {&out.strides, &in.strides},
                        [&](const auto& off) { o[off[0]] = static_cast<O>(i[off[1]]); });
    });
  });
}

namespace {

void check_same_dtype(const char* op, std::initializer_list<const KernelArg*> args) {
  for (const KernelArg* a : args)
    if (a->dtype != (*args.begin())->dtype)
      fail("reference {}: operands have different dtypes ({} and {})", op,
           dtype_name((*args.begin())->dtype), dtype_name(a->dtype));
}

}  // namespace

void ReferenceBackend::unary(UnaryOp op, const KernelArg& out, const KernelArg& x,
                             const UnaryParams& p) {
  check_same_dtype(unary_op_name(op), {&out, &x});
  dispatch_floating(out.dtype, unary_op_name(op), [&](auto zero) {
    using T = decltype(zero);
    T* o = out.ptr<T>();
    const T* in = x.ptr<T>();
    for_each_index<2>(out.shape, {&out.strides, &x.strides},
                      [&](const auto& off) { o[off[0]] = apply_unary(op, in[off[1]], p); });
  });
}

void ReferenceBackend::unary_backward(UnaryOp op, const KernelArg& grad_x,
                                      const KernelArg& grad_y, const KernelArg& x,
                                      const KernelArg& y, const UnaryParams& p) {
  check_same_dtype(unary_op_name(op), {&grad_x, &grad_y, &x, &y});
  dispatch_floating(grad_x.dtype, unary_op_name(op), [&](auto zero) {
    using T = decltype(zero);
    T* gx = grad_x.ptr<T>();
    const T* gy = grad_y.ptr<T>();
    const T* xs = x.ptr<T>();
    const T* ys = y.ptr<T>();
    for_each_index<4>(grad_x.shape, {&grad_x.strides, &grad_y.strides, &x.strides, &y.strides},
                      [&](const auto& off) {
                        gx[off[0]] = gy[off[1]] * unary_derivative(op, xs[off[2]], ys[off[3]], p);
                      });
  });
}

void ReferenceBackend::binary(BinaryOp op, const KernelArg& out, const KernelArg& a,
                              const KernelArg& b) {
  check_same_dtype(binary_op_name(op), {&out, &a, &b});
  dispatch_all(out.dtype, [&](auto zero) {
    using T = decltype(zero);
    T* o = out.ptr<T>();
    const T* pa = a.ptr<T>();
    const T* pb = b.ptr<T>();
    for_each_index<3>(out.shape, {&out.strides, &a.strides, &b.strides}, [&](const auto& off) {
      o[off[0]] = apply_binary(op, pa[off[1]], pb[off[2]]);
    });
  });
}

void ReferenceBackend::reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  check_same_dtype(reduce_op_name(op), {&out, &in});
  if (out.dim() != in.dim())
    fail("reference reduce: output rank {} differs from input rank {}", out.dim(), in.dim());
  // Accumulator strides: contiguous over out's shape, 0 along reduced dims, so every input
  // element lands in the accumulator of its output element.
  Shape acc_strides = contiguous_strides(out.shape);
  for (size_t d = 0; d < in.shape.size(); ++d) {
    if (out.shape[d] == in.shape[d]) continue;
    if (out.shape[d] != 1)
      fail("reference reduce: output shape {} does not fit input shape {}", shape_str(out.shape),
           shape_str(in.shape));
    acc_strides[d] = 0;
  }
  int64_t count = out.numel() == 0 ? 0 : in.numel() / out.numel();
  if (count == 0 && (op == ReduceOp::max || op == ReduceOp::min))
    fail("reference {}: cannot reduce an empty tensor (shape {})", reduce_op_name(op),
         shape_str(in.shape));
  double init = op == ReduceOp::max ? -std::numeric_limits<double>::infinity()
              : op == ReduceOp::min ? std::numeric_limits<double>::infinity() : 0.0;
  std::vector<double> acc(out.numel(), init);
  dispatch_all(in.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* src = in.ptr<T>();
    for_each_index<2>(in.shape, {&acc_strides, &in.strides}, [&](const auto& off) {
      double v = static_cast<double>(src[off[1]]);
      double& a = acc[off[0]];
      if (op == ReduceOp::max) a = (v > a || std::isnan(v)) ? v : a;
      else if (op == ReduceOp::min) a = (v < a || std::isnan(v)) ? v : a;
      else a += v;
    });
    Shape dense = contiguous_strides(out.shape);
    T* dst = out.ptr<T>();
    for_each_index<2>(out.shape, {&out.strides, &dense}, [&](const auto& off) {
      double v = acc[off[1]];
      if (op == ReduceOp::mean) v /= static_cast<double>(count);
      dst[off[0]] = static_cast<T>(v);
    });
  });
}

void ReferenceBackend::matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  check_same_dtype("matmul", {&out, &a, &b});
  if (out.dim() != 3 || a.dim() != 3 || b.dim() != 3 || a.shape[0] != out.shape[0] ||
      b.shape[0] != out.shape[0] || a.shape[1] != out.shape[1] || b.shape[2] != out.shape[2] ||
      a.shape[2] != b.shape[1])
    fail("reference matmul: expected out [B,M,N], a [B,M,K], b [B,K,N]; got {}, {}, {}",
         shape_str(out.shape), shape_str(a.shape), shape_str(b.shape));
  int64_t batch = out.shape[0], m = out.shape[1], n = out.shape[2], k = a.shape[2];
  dispatch_floating(out.dtype, "matmul", [&](auto zero) {
    using T = decltype(zero);
    for (int64_t bi = 0; bi < batch; ++bi)
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0.0;
          const T* pa = a.ptr<T>() + bi * a.strides[0] + i * a.strides[1];
          const T* pb = b.ptr<T>() + bi * b.strides[0] + j * b.strides[2];
          for (int64_t p = 0; p < k; ++p)
            acc += static_cast<double>(pa[p * a.strides[2]]) * static_cast<double>(pb[p * b.strides[1]]);
          out.ptr<T>()[bi * out.strides[0] + i * out.strides[1] + j * out.strides[2]] = static_cast<T>(acc);
        }
  });
}

}  // namespace gaze
