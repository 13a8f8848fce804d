#include "autograd/reduce.h"

#include <algorithm>

#include "autograd/elementwise.h"
#include "autograd/op_support.h"
#include "autograd/shape_ops.h"

namespace gaze {
using namespace autograd;

namespace {

// Sorted, unique, non-negative dims; all dims when `dims` is empty.
std::vector<int64_t> reduced_dims(const char* op, const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < x.dim(); ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(normalize_dim(d, x.dim(), op));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    fail("{}: dim listed twice in [{}]", op, fmt::join(dims, ","));
  return out;
}

Shape kept_shape(const Tensor& x, const std::vector<int64_t>& dims) {
  Shape shape = x.shape();
  for (int64_t d : dims) shape[d] = 1;
  return shape;
}

Shape squeezed_shape(const Tensor& x, const std::vector<int64_t>& dims) {
  Shape shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!std::binary_search(dims.begin(), dims.end(), d)) shape.push_back(x.shape()[d]);
  return shape;
}

Tensor reduce_raw(ReduceOp op, const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor out = empty(kept_shape(x, dims), x.dtype(), x.device());
  backend(Op::reduce, x).reduce(op, out.arg(), x.arg());
  return out;
}

Tensor reduce_op(ReduceOp op, const Tensor& x, const std::vector<int64_t>& dims_in, bool keepdim) {
  const char* name = reduce_op_name(op);
  check_defined(name, x);
  if (op != ReduceOp::sum) check_floating(name, x);
  std::vector<int64_t> dims = reduced_dims(name, x, dims_in);
  Tensor kept = reduce_raw(op, x, dims);
  Tensor saved_x = (op == ReduceOp::max || op == ReduceOp::min) && will_need_grad(x) ? x.detach() : Tensor();
  Tensor saved_y = saved_x.defined() ? kept.detach() : Tensor();
  int64_t count = kept.numel() == 0 ? 0 : x.numel() / kept.numel();
  kept = record(name, kept, {x}, [op, saved_x, saved_y, count, shape = x.shape()](const Tensor& g, const Node&) -> Grads {
    switch (op) {
      case ReduceOp::sum: return {expand(g, shape)};
      case ReduceOp::mean: return {expand(div(g, scalar_tensor(static_cast<double>(count), g.dtype(), g.device())), shape)};
      default: {
        Tensor hits = eq(saved_x, saved_y);
        std::vector<int64_t> dims;
        for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
          if (saved_y.shape()[d] != shape[d]) dims.push_back(d);
        Tensor ties = dims.empty() ? ones_like(saved_y) : sum(hits, dims, true);
        return {mul(hits, div(g, ties))};
      }
    }
  });
  return keepdim ? kept : reshape(kept, squeezed_shape(x, dims));
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce_op(ReduceOp::sum, x, {}, false); }
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return reduce_op(ReduceOp::sum, x, dims, keepdim); }
Tensor mean(const Tensor& x) { return reduce_op(ReduceOp::mean, x, {}, false); }
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return reduce_op(ReduceOp::mean, x, dims, keepdim); }
Tensor max(const Tensor& x) { return reduce_op(ReduceOp::max, x, {}, false); }
Tensor max(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return reduce_op(ReduceOp::max, x, dims, keepdim); }
Tensor min(const Tensor& x) { return reduce_op(ReduceOp::min, x, {}, false); }
Tensor min(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) { return reduce_op(ReduceOp::min, x, dims, keepdim); }

Tensor var(const Tensor& x, const std::vector<int64_t>& dims_in, int64_t correction, bool keepdim) {
  check_floating("var", x);
  std::vector<int64_t> dims = reduced_dims("var", x, dims_in);
  int64_t count = 1;
  for (int64_t d : dims) count *= x.shape()[d];
  if (count - correction <= 0)
    fail("var: {} elements per reduction with correction {} leave no degrees of freedom", count, correction);
  Tensor centred = sub(x, mean(x, dims, true));
  return div(sum(square(centred), dims, keepdim), scalar_tensor(static_cast<double>(count - correction), x.dtype(), x.device()));
}

Tensor argmax(const Tensor& x, int64_t dim_in, bool keepdim) {
  check_defined("argmax", x);
  int64_t dim = normalize_dim(dim_in, x.dim(), "argmax");
  Tensor c = contiguous(x.detach());
  int64_t outer = 1, size = x.shape()[dim], inner = 1;
  for (int64_t d = 0; d < x.dim(); ++d) (d < dim ? outer : inner) *= d == dim ? 1 : x.shape()[d];
  if (size == 0) fail("argmax: dim {} of shape {} is empty", dim, shape_str(x.shape()));
  Shape kept = x.shape();
  kept[dim] = 1;
  Tensor out = empty(kept, DType::i64);  // on the host, then to x's device
  std::vector<double> values = c.to_vector<double>();  // a GPU tensor is copied to the host here
  for (int64_t a = 0; a < outer; ++a)
    for (int64_t b = 0; b < inner; ++b) {
      int64_t best = 0;
      for (int64_t i = 1; i < size; ++i)
        if (values[(a * size + i) * inner + b] > values[(a * size + best) * inner + b]) best = i;
      out.data<int64_t>()[a * inner + b] = best;
    }
  out = out.to(x.device());
  return keepdim ? out : reshape(out, squeezed_shape(x, {dim}));
}

}  // namespace gaze
