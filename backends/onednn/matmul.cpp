// Batched matmul as the oneDNN matmul primitive. Transposed operands need no copy: each matrix
// is described with its own strides, as long as one of its two dims is unit-stride (row- or
// column-major with any leading dimension). A batch stride of 0 (one matrix shared by the whole
// batch) becomes a batch dim of 1, which oneDNN broadcasts.
#include <optional>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

// The [B, R, C] descriptor oneDNN reads for a, b or out: row-major (unit column stride) or
// column-major (unit row stride) with a leading dimension at least the matrix's, matrices not
// overlapping. nullopt otherwise. Strides of size-1 dims carry no information and are set to fit
// the layout. A stride-0 batch (only allowed for inputs) becomes a batch of 1.
struct MatrixLayout {
  Shape shape, strides;
};

std::optional<MatrixLayout> layout(const KernelArg& a, bool is_input) {
  int64_t batch = a.shape[0], rows = a.shape[1], cols = a.shape[2];
  int64_t sb = a.strides[0], sr = a.strides[1], sc = a.strides[2];
  if ((cols == 1 || sc == 1) && (rows == 1 || sr >= cols)) {
    sc = 1;
    if (rows == 1) sr = cols;
  } else if ((rows == 1 || sr == 1) && (cols == 1 || sc >= rows)) {
    sr = 1;
    if (cols == 1) sc = rows;
  } else {
    return std::nullopt;
  }
  int64_t span = (rows - 1) * sr + (cols - 1) * sc + 1;
  if (batch > 1 && sb == 0 && is_input) batch = 1;
  if (batch == 1) sb = span;
  if (sb < span) return std::nullopt;
  return MatrixLayout{{batch, rows, cols}, {sb, sr, sc}};
}

std::string layout_key(const MatrixLayout& l) {
  return shape_str(l.shape) + "/" + shape_str(l.strides);
}

struct MatmulEntry {
  std::optional<dnnl::matmul> primitive;  // empty: oneDNN has only its reference loops
};

}  // namespace

void OnednnBackend::matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) {
  auto fallback = [&] { OpenblasBackend::matmul(out, a, b); };
  if (!all_f32({&out, &a, &b}) || out.dim() != 3 || a.dim() != 3 || b.dim() != 3 ||
      out.numel() == 0 || a.numel() == 0 || b.numel() == 0 || a.shape[0] != out.shape[0] ||
      b.shape[0] != out.shape[0] || a.shape[1] != out.shape[1] || b.shape[2] != out.shape[2] ||
      a.shape[2] != b.shape[1])
    return fallback();
  auto la = layout(a, true), lb = layout(b, true), lo = layout(out, false);
  // oneDNN broadcasts a batch of 1 up to dst's batch only when the other input has that batch.
  if (!la || !lb || !lo || (la->shape[0] != lo->shape[0] && lb->shape[0] != lo->shape[0]))
    return fallback();
  auto desc = [](const MatrixLayout& l) { return f32_desc(l.shape, l.strides); };
  auto e = guarded("matmul", {&out, &a, &b}, [&] {
    std::string key = fmt::format("matmul {} {} {}", layout_key(*la), layout_key(*lb),
                                  layout_key(*lo));
    return cached<MatmulEntry>(key, [&] {
      dnnl::matmul::primitive_desc pd({desc(*la), desc(*lb), desc(*lo)}, engine());
      if (reference_only(pd)) return MatmulEntry{};
      return MatmulEntry{dnnl::matmul(pd)};
    });
  });
  if (!e->primitive) return fallback();
  guarded("matmul", {&out, &a, &b}, [&] {
    execute(*e->primitive, {{DNNL_ARG_SRC, wrap(desc(*la), a.data)},
                            {DNNL_ARG_WEIGHTS, wrap(desc(*lb), b.data)},
                            {DNNL_ARG_DST, wrap(desc(*lo), out.data)}});
  });
}

}  // namespace gaze
