// Elementwise binary ops and comparisons as the oneDNN binary primitive. Our operands arrive
// already broadcast to out's shape with stride-0 dims; oneDNN instead broadcasts src1 along its
// size-1 dims and wants src0 at full size. So stride-0 dims become size-1 dims, and when only
// the first operand is broadcast the operands swap (mirroring the comparison, or negating a
// difference with a post-op).
#include <optional>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

// The operand's shape with every broadcast (stride-0) dim reduced to 1, if the operand is then
// contiguous: the layout oneDNN reads. A 0-d array is [1].
std::optional<Shape> collapsed(const KernelArg& a) {
  KernelArg c = a;
  for (size_t d = 0; d < c.shape.size(); ++d)
    if (c.strides[d] == 0) c.shape[d] = 1;
  if (!c.is_contiguous()) return std::nullopt;
  if (c.shape.empty()) c.shape = {1};
  return c.shape;
}

struct BinaryPlan {
  dnnl::algorithm algorithm;
  bool swap = false;    // src0 = b, src1 = a
  bool negate = false;  // dst = -(src0 - src1)
};

std::optional<BinaryPlan> plan(BinaryOp op, bool swap) {
  using dnnl::algorithm;
  switch (op) {
    case BinaryOp::add: return BinaryPlan{algorithm::binary_add, swap};
    case BinaryOp::mul: return BinaryPlan{algorithm::binary_mul, swap};
    case BinaryOp::maximum: return BinaryPlan{algorithm::binary_max, swap};
    case BinaryOp::minimum: return BinaryPlan{algorithm::binary_min, swap};
    case BinaryOp::eq: return BinaryPlan{algorithm::binary_eq, swap};
    case BinaryOp::sub: return BinaryPlan{algorithm::binary_sub, swap, swap};  // a-b = -(b-a)
    case BinaryOp::gt: return BinaryPlan{swap ? algorithm::binary_lt : algorithm::binary_gt, swap};
    case BinaryOp::lt: return BinaryPlan{swap ? algorithm::binary_gt : algorithm::binary_lt, swap};
    case BinaryOp::ge: return BinaryPlan{swap ? algorithm::binary_le : algorithm::binary_ge, swap};
    case BinaryOp::le: return BinaryPlan{swap ? algorithm::binary_ge : algorithm::binary_le, swap};
    case BinaryOp::div:
      if (swap) return std::nullopt;  // a/b from b/a is not exact
      return BinaryPlan{algorithm::binary_div};
    case BinaryOp::pow: return std::nullopt;  // oneDNN has no binary power
  }
  return std::nullopt;
}

struct BinaryEntry {
  std::optional<dnnl::binary> primitive;  // empty: oneDNN has only its reference loops
};

}  // namespace

void OnednnBackend::binary(BinaryOp op, const KernelArg& out, const KernelArg& a,
                           const KernelArg& b) {
  auto fallback = [&] { OpenblasBackend::binary(op, out, a, b); };
  if (!all_f32({&out, &a, &b}) || !all_dense({&out}) || a.shape != out.shape ||
      b.shape != out.shape)
    return fallback();
  auto shape_a = collapsed(a), shape_b = collapsed(b);
  if (!shape_a || !shape_b) return fallback();
  Shape full = out.shape.empty() ? Shape{1} : out.shape;
  if (*shape_a != full && *shape_b != full) return fallback();
  auto p = plan(op, *shape_a != full);
  if (!p) return fallback();
  const Shape& shape1 = p->swap ? *shape_a : *shape_b;
  auto e = guarded(binary_op_name(op), {&out, &a, &b}, [&] {
    std::string key = fmt::format("binary {} {} {} {}", static_cast<int>(p->algorithm), p->negate,
                                  shape_str(full), shape_str(shape1));
    return cached<BinaryEntry>(key, [&] {
      dnnl::primitive_attr attr;
      if (p->negate) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, -1.0f, 0.0f);
        attr.set_post_ops(ops);
      }
      dnnl::binary::primitive_desc pd(
          {p->algorithm, f32_desc(full), f32_desc(shape1), f32_desc(full)}, attr, engine());
      if (reference_only(pd)) return BinaryEntry{};
      return BinaryEntry{dnnl::binary(pd)};
    });
  });
  if (!e->primitive) return fallback();
  guarded(binary_op_name(op), {&out, &a, &b}, [&] {
    execute(*e->primitive, {{DNNL_ARG_SRC_0, wrap(f32_desc(full), p->swap ? b.data : a.data)},
                            {DNNL_ARG_SRC_1, wrap(f32_desc(shape1), p->swap ? a.data : b.data)},
                            {DNNL_ARG_DST, wrap(f32_desc(full), out.data)}});
  });
}

}  // namespace gaze
