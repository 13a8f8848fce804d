// Sum, mean, max and min over the dims where out has size 1, as the oneDNN reduction primitive
// (whose dst dims are likewise 1 where reduced) on contiguous f32 arrays.
#include <optional>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

dnnl::algorithm reduction(ReduceOp op) {
  switch (op) {
    case ReduceOp::sum: return dnnl::algorithm::reduction_sum;
    case ReduceOp::mean: return dnnl::algorithm::reduction_mean;
    case ReduceOp::max: return dnnl::algorithm::reduction_max;
    case ReduceOp::min: return dnnl::algorithm::reduction_min;
  }
  fail("onednn: unknown reduce op {}", static_cast<int>(op));
}

// True when out keeps in's rank, each of its dims is in's or 1, and at least one dim shrinks
// (oneDNN rejects a reduction that reduces nothing: that is a copy, left to the parent).
bool reduces(const KernelArg& out, const KernelArg& in) {
  if (out.dim() != in.dim()) return false;
  bool any = false;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (out.shape[d] == in.shape[d]) continue;
    if (out.shape[d] != 1) return false;
    any = true;
  }
  return any;
}

// Sums and means over the trailing dims (global average pooling, a sum of everything) go to the
// parent's row loop: oneDNN 2.6's reduction took 0.10 ms for SE's [8, 64, 32, 32] pooling (~21
// GB/s, ONEDNN_VERBOSE), and SE's forward + backward went from 0.81 to 0.78 ms (medians of six
// alternating rounds) with the parent's.
bool parent_reduces_faster(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  int64_t rows, length;
  return (op == ReduceOp::sum || op == ReduceOp::mean) && openblas::trailing_reduction(out, in, rows, length);
}

struct ReduceEntry {
  std::optional<dnnl::reduction> primitive;  // empty: oneDNN has only its reference loops
};

}  // namespace

void OnednnBackend::reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) {
  if (!all_f32({&out, &in}) || !all_dense({&out, &in}) || !reduces(out, in) || parent_reduces_faster(op, out, in))
    return OpenblasBackend::reduce(op, out, in);
  auto e = guarded(reduce_op_name(op), {&out, &in}, [&] {
    std::string key = fmt::format("reduce {} {} {}", reduce_op_name(op), shape_str(in.shape),
                                  shape_str(out.shape));
    return cached<ReduceEntry>(key, [&] {
      dnnl::reduction::primitive_desc pd(
          {reduction(op), f32_desc(in.shape), f32_desc(out.shape), 0.0f, 0.0f}, engine());
      if (reference_only(pd)) return ReduceEntry{};
      return ReduceEntry{dnnl::reduction(pd)};
    });
  });
  if (!e->primitive) return OpenblasBackend::reduce(op, out, in);
  guarded(reduce_op_name(op), {&out, &in}, [&] {
    execute(*e->primitive, {{DNNL_ARG_SRC, wrap(f32_desc(in.shape), in.data)},
                            {DNNL_ARG_DST, wrap(f32_desc(out.shape), out.data)}});
  });
}

}  // namespace gaze
