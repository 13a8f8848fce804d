#include "autograd/shape_ops.h"

#include <algorithm>
#include <optional>

#include "autograd/op_support.h"

namespace gaze {
using namespace autograd;

namespace {

Shape infer_shape(const char* op, const Tensor& x, Shape shape) {
  int64_t known = 1, infer_at = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      if (infer_at >= 0) fail("{}: only one size may be -1 in {}", op, shape_str(shape));
      infer_at = static_cast<int64_t>(i);
    } else if (shape[i] < 0) {
      fail("{}: invalid size {} in {}", op, shape[i], shape_str(shape));
    } else {
      known *= shape[i];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || x.numel() % known != 0)
      fail("{}: shape {} is invalid for a tensor of {} elements (shape {})", op, shape_str(shape),
           x.numel(), shape_str(x.shape()));
    shape[infer_at] = x.numel() / known;
  }
  if (numel(shape) != x.numel())
    fail("{}: shape {} is invalid for a tensor of {} elements (shape {})", op, shape_str(shape),
         x.numel(), shape_str(x.shape()));
  return shape;
}

// Strides that let `old_shape`/`old_strides` be seen as `shape` without copying, if any
// (the rule PyTorch's view uses: each run of mergeable old dims must map onto new dims).
std::optional<Shape> view_strides(const Shape& old_shape, const Shape& old_strides, const Shape& shape) {
  Shape strides(shape.size(), 1);
  if (old_shape.empty() || numel(old_shape) == 0) return contiguous_strides(shape);
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_shape.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= old_shape[tensor_d];
    if (tensor_d == 0 || (old_shape[tensor_d - 1] != 1 && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return strides;
}

// A differentiable view: shares x's storage; its backward is `backward_rule`.
Tensor make_view(const char* op, const Tensor& x, const Shape& shape, const Shape& strides,
                 int64_t offset, BackwardFn backward_rule) {
  return record(op, x.alias(shape, strides, offset), {x}, std::move(backward_rule));
}

Tensor copy_of(const char* op, const Tensor& x) {
  Tensor out = empty(x.shape(), x.dtype(), x.device());
  backend(Op::copy, x).copy(out.arg(), x.arg());
  return record(op, out, {x}, [](const Tensor& g, const Node&) -> Grads { return {g}; });
}

}  // namespace

Tensor view(const Tensor& x, const Shape& shape_in) {
  check_defined("view", x);
  Shape shape = infer_shape("view", x, shape_in);
  auto strides = view_strides(x.shape(), x.strides(), shape);
  if (!strides)
    fail("view: a tensor of shape {} with strides {} cannot be viewed as {}; use reshape() (which "
         "copies) or contiguous() first",
         shape_str(x.shape()), shape_str(x.strides()), shape_str(shape));
  return make_view("view", x, shape, *strides, x.offset(), [old = x.shape()](const Tensor& g, const Node&) -> Grads {
    return {reshape(g, old)};
  });
}

Tensor reshape(const Tensor& x, const Shape& shape_in) {
  check_defined("reshape", x);
  Shape shape = infer_shape("reshape", x, shape_in);
  if (view_strides(x.shape(), x.strides(), shape)) return view(x, shape);
  return view(contiguous(x), shape);
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  check_defined("flatten", x);
  if (x.dim() == 0) return reshape(x, {1});
  int64_t start = normalize_dim(start_dim, x.dim(), "flatten");
  int64_t end = normalize_dim(end_dim, x.dim(), "flatten");
  if (start > end) fail("flatten: start_dim {} comes after end_dim {}", start_dim, end_dim);
  Shape shape(x.shape().begin(), x.shape().begin() + start);
  int64_t merged = 1;
  for (int64_t d = start; d <= end; ++d) merged *= x.shape()[d];
  shape.push_back(merged);
  shape.insert(shape.end(), x.shape().begin() + end + 1, x.shape().end());
  return reshape(x, shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  check_defined("permute", x);
  if (static_cast<int64_t>(dims.size()) != x.dim())
    fail("permute: {} dims given for a tensor of shape {}", dims.size(), shape_str(x.shape()));
  std::vector<int64_t> order, inverse(dims.size());
  std::vector<bool> used(dims.size(), false);
  Shape shape, strides;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = normalize_dim(dims[i], x.dim(), "permute");
    if (used[d]) fail("permute: dim {} repeated in [{}]", d, fmt::join(dims, ","));
    used[d] = true;
    order.push_back(d);
    inverse[d] = static_cast<int64_t>(i);
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  return make_view("permute", x, shape, strides, x.offset(), [inverse](const Tensor& g, const Node&) -> Grads {
    return {permute(g, inverse)};
  });
}

Tensor transpose(const Tensor& x, int64_t dim0, int64_t dim1) {
  check_defined("transpose", x);
  std::vector<int64_t> dims(x.dim());
  for (int64_t d = 0; d < x.dim(); ++d) dims[d] = d;
  std::swap(dims[normalize_dim(dim0, x.dim(), "transpose")], dims[normalize_dim(dim1, x.dim(), "transpose")]);
  return permute(x, dims);
}

Tensor squeeze(const Tensor& x) {
  check_defined("squeeze", x);
  Shape shape;
  for (int64_t s : x.shape())
    if (s != 1) shape.push_back(s);
  return reshape(x, shape);
}

Tensor squeeze(const Tensor& x, int64_t dim) {
  check_defined("squeeze", x);
  int64_t d = normalize_dim(dim, x.dim(), "squeeze");
  if (x.dim() == 0 || x.shape()[d] != 1) return x;
  Shape shape = x.shape();
  shape.erase(shape.begin() + d);
  return reshape(x, shape);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  check_defined("unsqueeze", x);
  int64_t d = normalize_dim(dim, x.dim() + 1, "unsqueeze");
  Shape shape = x.shape();
  shape.insert(shape.begin() + d, 1);
  return reshape(x, shape);
}

Tensor expand(const Tensor& x, const Shape& shape_in) {
  check_defined("expand", x);
  if (shape_in.size() < x.shape().size())
    fail("expand: cannot expand shape {} to fewer dims {}", shape_str(x.shape()), shape_str(shape_in));
  size_t lead = shape_in.size() - x.shape().size();
  Shape shape(shape_in.size()), strides(shape_in.size(), 0);
  for (size_t d = 0; d < shape_in.size(); ++d) {
    if (d < lead) {
      if (shape_in[d] < 0) fail("expand: size -1 is not allowed for the new leading dim {}", d);
      shape[d] = shape_in[d];
      continue;
    }
    int64_t have = x.shape()[d - lead];
    int64_t want = shape_in[d] == -1 ? have : shape_in[d];
    if (have != want && have != 1)
      fail("expand: shape {} cannot be expanded to {} (dim {}: {} is not 1)", shape_str(x.shape()),
           shape_str(shape_in), d, have);
    shape[d] = want;
    strides[d] = have == want ? x.strides()[d - lead] : 0;
  }
  if (shape == x.shape()) return x;
  return make_view("expand", x, shape, strides, x.offset(), [old = x.shape()](const Tensor& g, const Node&) -> Grads {
    return {sum_to(g, old)};
  });
}

Tensor slice(const Tensor& x, int64_t dim_in, int64_t start, int64_t end, int64_t step) {
  check_defined("slice", x);
  int64_t dim = normalize_dim(dim_in, x.dim(), "slice");
  if (step <= 0) fail("slice: step must be positive, got {}", step);
  int64_t size = x.shape()[dim];
  auto clampi = [size](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + size : i, 0, size); };
  start = clampi(start);
  end = std::max(clampi(end), start);
  Shape shape = x.shape(), strides = x.strides();
  shape[dim] = (end - start + step - 1) / step;
  strides[dim] *= step;
  int64_t offset = x.offset() + start * x.strides()[dim];
  return make_view("slice", x, shape, strides, offset,
                   [old = x.shape(), dim, start, end, step](const Tensor& g, const Node&) -> Grads {
                     Tensor gx = zeros(old, g.dtype(), g.device());
                     slice(gx, dim, start, end, step).copy_(g);
                     return {gx};
                   });
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  check_defined("narrow", x);
  int64_t d = normalize_dim(dim, x.dim(), "narrow");
  if (start < 0) start += x.shape()[d];
  if (start < 0 || length < 0 || start + length > x.shape()[d])
    fail("narrow: [{}, {}) is out of range for dim {} of size {}", start, start + length, d, x.shape()[d]);
  return slice(x, d, start, start + length);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  check_defined("select", x);
  int64_t d = normalize_dim(dim, x.dim(), "select");
  int64_t size = x.shape()[d];
  if (index < -size || index >= size)
    fail("select: index {} is out of range for dim {} of size {}", index, d, size);
  if (index < 0) index += size;
  return squeeze(slice(x, d, index, index + 1), d);
}

// One slice per position, concatenated in reverse: any device, any dtype, and the gradient
// (the upstream gradient flipped back) comes from slice and cat. Meant for image widths
// (tens to hundreds of slices), not for long dims.
Tensor flip(const Tensor& x, int64_t dim) {
  check_defined("flip", x);
  int64_t d = normalize_dim(dim, x.dim(), "flip");
  int64_t size = x.shape()[d];
  if (size <= 1) return clone(x);
  std::vector<Tensor> reversed;
  reversed.reserve(static_cast<size_t>(size));
  for (int64_t i = size - 1; i >= 0; --i) reversed.push_back(slice(x, d, i, i + 1));
  return cat(reversed, d);
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim_in) {
  if (tensors.empty()) fail("cat: expected at least one tensor");
  const Tensor& first = tensors.front();
  check_defined("cat", first);
  int64_t dim = normalize_dim(dim_in, first.dim(), "cat");
  Shape shape = first.shape();
  shape[dim] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    check_same_dtype("cat", first, t);
    bool fits = t.dim() == first.dim();
    for (int64_t d = 0; fits && d < t.dim(); ++d) fits = d == dim || t.shape()[d] == first.shape()[d];
    if (!fits)
      fail("cat: tensor {} has shape {}, which does not match {} outside dim {}", i,
           shape_str(t.shape()), shape_str(first.shape()), dim);
    shape[dim] += t.shape()[dim];
  }
  Tensor out = empty(shape, first.dtype(), first.device());
  std::vector<int64_t> sizes;
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    int64_t n = t.shape()[dim];
    Tensor part = out.alias(out.shape(), out.strides(), 0);
    slice(part, dim, at, at + n).copy_(t);
    sizes.push_back(n);
    at += n;
  }
  return record("cat", out, tensors, [sizes, dim](const Tensor& g, const Node& node) -> Grads {
    Grads grads;
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      grads.push_back(node.needs(i) ? slice(g, dim, start, start + sizes[i]) : Tensor());
      start += sizes[i];
    }
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  if (tensors.empty()) fail("stack: expected at least one tensor");
  check_defined("stack", tensors.front());
  int64_t d = normalize_dim(dim, tensors.front().dim() + 1, "stack");
  std::vector<Tensor> expanded;
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].shape() != tensors.front().shape())
      fail("stack: tensor {} has shape {} but tensor 0 has shape {}", i, shape_str(tensors[i].shape()),
           shape_str(tensors.front().shape()));
    expanded.push_back(unsqueeze(tensors[i], d));
  }
  return cat(expanded, d);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  check_defined("split", x);
  int64_t d = normalize_dim(dim, x.dim(), "split");
  if (split_size <= 0) fail("split: split_size must be positive, got {}", split_size);
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < x.shape()[d]; start += split_size)
    parts.push_back(slice(x, d, start, std::min(start + split_size, x.shape()[d])));
  return parts;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  check_defined("chunk", x);
  if (chunks <= 0) fail("chunk: the number of chunks must be positive, got {}", chunks);
  int64_t size = x.shape()[normalize_dim(dim, x.dim(), "chunk")];
  return split(x, std::max<int64_t>((size + chunks - 1) / chunks, 1), dim);
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& pads, double value) {
  check_defined("pad", x);
  if (pads.size() % 2 != 0 || static_cast<int64_t>(pads.size() / 2) > x.dim())
    fail("pad: {} padding values for a tensor of {} dims; give a (left, right) pair per dim, "
         "starting from the last", pads.size(), x.dim());
  Shape shape = x.shape();
  std::vector<std::pair<int64_t, int64_t>> ranges;  // (dim, start) of x inside the output
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    int64_t d = x.dim() - 1 - static_cast<int64_t>(i);
    if (pads[2 * i] < 0 || pads[2 * i + 1] < 0) fail("pad: negative padding {} is not supported", shape_str(pads));
    shape[d] += pads[2 * i] + pads[2 * i + 1];
    ranges.push_back({d, pads[2 * i]});
  }
  Tensor out = full(shape, value, x.dtype(), x.device());
  Tensor inner = out.detach();
  for (auto [d, start] : ranges) inner = slice(inner, d, start, start + x.shape()[d]);
  inner.copy_(x);
  return record("pad", out, {x}, [ranges, old = x.shape()](const Tensor& g, const Node&) -> Grads {
    Tensor gx = g;
    for (auto [d, start] : ranges) gx = slice(gx, d, start, start + old[d]);
    return {gx};
  });
}

Tensor contiguous(const Tensor& x) {
  check_defined("contiguous", x);
  return x.is_contiguous() ? x : copy_of("contiguous", x);
}

Tensor clone(const Tensor& x) {
  check_defined("clone", x);
  return copy_of("clone", x);
}

Tensor to_device(const Tensor& x, Device device) {
  check_defined("to_device", x);
  if (x.device() == device) return x;
  Tensor out = x.detach().to(device);
  return record("to_device", out, {x}, [from = x.device()](const Tensor& g, const Node&) -> Grads {
    return {to_device(g, from)};
  });
}

}  // namespace gaze
