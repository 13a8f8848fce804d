#include "autograd/linalg.h"

#include "autograd/elementwise.h"
#include "autograd/op_support.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

namespace {

// `t` (already expanded to batch + [rows, cols]) seen as [B, rows, cols]. When one
// stride cannot step through all batch dims (a mix of broadcast and real dims, say), the batch
// is copied contiguous first.
Tensor as_batched(const Tensor& t, int64_t batch) {
  int64_t rows = t.shape()[t.dim() - 2], cols = t.shape()[t.dim() - 1];
  std::vector<std::pair<int64_t, int64_t>> dims;  // (size, stride) of batch dims of size > 1
  for (int64_t d = 0; d < t.dim() - 2; ++d)
    if (t.shape()[d] != 1) dims.push_back({t.shape()[d], t.strides()[d]});
  bool one_stride = true;
  for (size_t i = 0; i + 1 < dims.size(); ++i)
    one_stride = one_stride && dims[i].second == dims[i + 1].second * dims[i + 1].first;
  Tensor source = one_stride ? t : contiguous(t.detach());
  int64_t batch_stride = dims.empty() ? 0 : (one_stride ? dims.back().second : rows * cols);
  return source.alias({batch, rows, cols},
                      {batch_stride, source.strides()[source.dim() - 2], source.strides()[source.dim() - 1]},
                      source.offset());
}

// The recorded op: both operands at least 2-D, batch dims broadcast.
Tensor batched_matmul(const Tensor& a, const Tensor& b) {
  int64_t m = a.shape()[a.dim() - 2], k = a.shape()[a.dim() - 1];
  int64_t kb = b.shape()[b.dim() - 2], n = b.shape()[b.dim() - 1];
  if (k != kb)
    fail("matmul: shapes {} and {} cannot be multiplied ({} != {})", shape_str(a.shape()),
         shape_str(b.shape()), k, kb);
  Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
  Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  int64_t batch_count = numel(batch);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor out = empty(out_shape, a.dtype(), a.device());
  Shape shape_a = batch, shape_b = batch;
  shape_a.insert(shape_a.end(), {m, k});
  shape_b.insert(shape_b.end(), {k, n});
  {
    NoGradGuard no_grad;
    Tensor ea = expand(a.detach(), shape_a), eb = expand(b.detach(), shape_b);
    KernelArg out_arg = out.arg();
    out_arg.shape = {batch_count, m, n};
    out_arg.strides = {m * n, n, 1};
    Tensor a3 = as_batched(ea, batch_count), b3 = as_batched(eb, batch_count);
    backend(Op::matmul, a).matmul(out_arg, a3.arg(), b3.arg());
  }
  Tensor saved_a = will_need_grad(b) ? a.detach() : Tensor();
  Tensor saved_b = will_need_grad(a) ? b.detach() : Tensor();
  return record("matmul", out, {a, b}, [saved_a, saved_b, sa = a.shape(), sb = b.shape()](const Tensor& g, const Node& node) -> Grads {
    Grads grads(2);
    if (node.needs(0)) grads[0] = sum_to(batched_matmul(g, transpose(saved_b, -1, -2)), sa);
    if (node.needs(1)) grads[1] = sum_to(batched_matmul(transpose(saved_a, -1, -2), g), sb);
    return grads;
  });
}

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  check_same_dtype("matmul", a, b);
  check_floating("matmul", a);
  if (a.dim() == 0 || b.dim() == 0)
    fail("matmul: both operands need at least one dim, got shapes {} and {}", shape_str(a.shape()),
         shape_str(b.shape()));
  Tensor a2 = a.dim() == 1 ? unsqueeze(a, 0) : a;
  Tensor b2 = b.dim() == 1 ? unsqueeze(b, 1) : b;
  if (a2.shape().back() != b2.shape()[b2.dim() - 2])
    fail("matmul: shapes {} and {} cannot be multiplied ({} != {})", shape_str(a.shape()),
         shape_str(b.shape()), a2.shape().back(), b2.shape()[b2.dim() - 2]);
  Tensor out = batched_matmul(a2, b2);
  if (b.dim() == 1) out = squeeze(out, -1);
  if (a.dim() == 1) out = squeeze(out, -2 + (b.dim() == 1 ? 1 : 0));
  return out;
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  check_defined("linear", weight, "weight");
  if (weight.dim() != 2) fail("linear: weight must be [out, in], got shape {}", shape_str(weight.shape()));
  check_defined("linear", x);
  if (x.dim() == 0 || x.shape().back() != weight.shape()[1])
    fail("linear: input shape {} does not end in in_features = {} (weight shape {})",
         shape_str(x.shape()), weight.shape()[1], shape_str(weight.shape()));
  Tensor y = matmul(x, transpose(weight, 0, 1));
  if (!bias.defined()) return y;
  if (bias.shape() != Shape{weight.shape()[0]})
    fail("linear: bias shape {} should be [{}]", shape_str(bias.shape()), weight.shape()[0]);
  return add(y, bias);
}

}  // namespace gaze
