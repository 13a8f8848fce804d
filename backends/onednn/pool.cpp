// Max, average and (where its windows are uniform) adaptive average pooling as oneDNN pooling_v2
// primitives on our plain layouts (pooling reads each element about once, so a reorder would
// cost as much as the pooling).
//
// Max pooling must hand back our indices (flat spatial positions within each (n, c) plane) and
// its backward gets only those, not oneDNN's workspace. The forward therefore converts the
// workspace (each maximum's offset within its window; oneDNN keeps the first maximum in window
// order, as the reference does) into our indices, and the backward is a scatter with them.
#include <array>
#include <limits>
#include <optional>

#include "backends/onednn/context.h"
#include "backends/onednn/onednn_backend.h"

namespace gaze {
using namespace onednn;

namespace {

struct PoolGeometry {
  dnnl::memory::desc x, out;
  dims kernel, stride, dilation, pad_l, pad_r;
};

// nullopt when oneDNN cannot run this pooling on these f32 arrays. Average pooling has no
// dilation (the reference ignores PoolParams::dilation for it).
std::optional<PoolGeometry> geometry(const KernelArg& x, const KernelArg& out, const PoolParams& p,
                                     bool dilated) {
  if (!all_f32({&x, &out}) || !all_dense({&x, &out})) return std::nullopt;
  int64_t rank = x.dim(), spatial = rank - 2;
  if (rank < 3 || rank > 5 || out.dim() != rank || out.shape[0] != x.shape[0] ||
      out.shape[1] != x.shape[1])
    return std::nullopt;
  if (std::ssize(p.kernel) != spatial || std::ssize(p.stride) != spatial ||
      std::ssize(p.padding) != spatial || (dilated && std::ssize(p.dilation) != spatial))
    return std::nullopt;
  PoolGeometry g;
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = x.shape[2 + d], o = out.shape[2 + d];
    int64_t k = p.kernel[d], s = p.stride[d], pad = p.padding[d];
    int64_t dil = dilated ? p.dilation[d] : 1;
    if (k < 1 || s < 1 || dil < 1 || pad < 0) return std::nullopt;
    int64_t extent = (k - 1) * dil + 1;
    // The caller resolved ceil mode into the output size; this right padding gives oneDNN the
    // same size. Padding holds no elements for max and uncounted average pooling, so its extent
    // only matters to the counted-padding divisor (see same_divisor).
    int64_t pad_r = std::max<int64_t>(0, (o - 1) * s + extent - in - pad);
    if ((in + pad + pad_r - extent) / s + 1 != o) return std::nullopt;
    g.kernel.push_back(k);
    g.stride.push_back(s);
    g.dilation.push_back(dil - 1);  // oneDNN counts the gaps
    g.pad_l.push_back(pad);
    g.pad_r.push_back(pad_r);
  }
  g.x = f32_desc(x.shape);
  g.out = f32_desc(out.shape);
  return g;
}

// Average pooling computes what the reference does only where oneDNN's divisor is the
// reference's: with padding counted, oneDNN always divides by the full kernel while the
// reference clips the window at in + padding (reached in ceil mode); a window with no input
// element is 0 in the reference and 0/0 in oneDNN.
bool same_divisor(const KernelArg& x, const KernelArg& out, const PoolParams& p) {
  for (int64_t d = 0; d + 2 < x.dim(); ++d) {
    int64_t in = x.shape[2 + d], o = out.shape[2 + d];
    int64_t k = p.kernel[d], s = p.stride[d], pad = p.padding[d];
    int64_t last_start = (o - 1) * s - pad;
    if (p.count_include_pad && last_start + k > in + pad) return false;
    if (k <= pad || last_start >= in) return false;
  }
  return true;
}

std::string key(const char* kernel, const KernelArg& x, const KernelArg& out, const PoolParams& p) {
  return fmt::format("{} {} {} k{} s{} p{} d{} i{}", kernel, shape_str(x.shape),
                     shape_str(out.shape), fmt::join(p.kernel, ","), fmt::join(p.stride, ","),
                     fmt::join(p.padding, ","), fmt::join(p.dilation, ","), p.count_include_pad);
}

dnnl::algorithm avg_algorithm(const PoolParams& p) {
  return p.count_include_pad ? dnnl::algorithm::pooling_avg_include_padding
                             : dnnl::algorithm::pooling_avg_exclude_padding;
}

dnnl::pooling_v2_forward::primitive_desc forward_pd(const PoolGeometry& g, dnnl::algorithm alg) {
  return {{dnnl::prop_kind::forward_training, alg, g.x, g.out, g.stride, g.kernel, g.dilation,
           g.pad_l, g.pad_r},
          engine()};
}

// v[first:] padded in front with `fill` to 3 entries: [N, C, *spatial] shapes and per-dim
// parameters seen as 3D, as the reference loops see them.
std::array<int64_t, 3> padded3(const std::vector<int64_t>& v, size_t first, int64_t fill) {
  std::array<int64_t, 3> s{fill, fill, fill};
  size_t n = v.size() - first;
  for (size_t i = 0; i < n; ++i) s[3 - n + i] = v[first + i];
  return s;
}

struct MaxPoolEntry {
  dnnl::pooling_v2_forward primitive;
  dnnl::memory::desc workspace;
  // The workspace is laid out like out (plain) with u8 or s32 window offsets; anything else is
  // an implementation detail this code does not read, and the parent runs the pooling instead.
  bool readable_workspace;
};

bool readable(const dnnl::memory::desc& ws, const Shape& out_shape) {
  auto type = ws.data_type();
  if (type != dnnl::memory::data_type::u8 && type != dnnl::memory::data_type::s32) return false;
  return ws == dnnl::memory::desc(to_dims(out_shape), type, to_dims(contiguous_strides(out_shape)));
}

// The reference's rule for one window: the first maximum in window order, NaN winning.
void scan_window(const float* plane, const std::array<int64_t, 3>& in,
                 const std::array<int64_t, 3>& start, const std::vector<std::array<int64_t, 3>>& steps,
                 float& best, int64_t& best_index) {
  best = -std::numeric_limits<float>::infinity();
  best_index = -1;
  for (const auto& step : steps) {
    int64_t d = start[0] + step[0], h = start[1] + step[1], w = start[2] + step[2];
    if (d < 0 || d >= in[0] || h < 0 || h >= in[1] || w < 0 || w >= in[2]) continue;
    int64_t flat = (d * in[1] + h) * in[2] + w;
    float v = plane[flat];
    if (best_index < 0 || v > best || std::isnan(v)) {
      best = v;
      best_index = flat;
    }
  }
}

// Turns window offsets into flat plane positions. A maximum above the lowest float is a real
// input and its offset is exact; at or below it (a window of -inf, where oneDNN keeps its
// initial value and offset 0, which may be padding) the window is scanned with the reference's
// rule instead.
template <typename Offset>
void workspace_to_indices(const Offset* ws, const KernelArg& indices, const KernelArg& out,
                          const KernelArg& x, const PoolParams& p) {
  auto in = padded3(x.shape, 2, 1), os = padded3(out.shape, 2, 1);
  auto k = padded3(p.kernel, 0, 1), s = padded3(p.stride, 0, 1), pad = padded3(p.padding, 0, 0),
       dil = padded3(p.dilation, 0, 1);
  // (d, h, w) displacement of each window offset from the window's start, in window order.
  std::vector<std::array<int64_t, 3>> steps;
  for (int64_t kd = 0; kd < k[0]; ++kd)
    for (int64_t kh = 0; kh < k[1]; ++kh)
      for (int64_t kw = 0; kw < k[2]; ++kw) steps.push_back({kd * dil[0], kh * dil[1], kw * dil[2]});
  int64_t planes = x.shape[0] * x.shape[1];
  int64_t in_plane = in[0] * in[1] * in[2], out_plane = os[0] * os[1] * os[2];
  const float* xs = x.ptr<float>();
  float* o = out.ptr<float>();
  int64_t* idx = indices.ptr<int64_t>();
#pragma omp parallel for
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* xp = xs + plane * in_plane;
    int64_t oi = plane * out_plane;
    std::array<int64_t, 3> start;
    for (int64_t od = 0; od < os[0]; ++od) {
      start[0] = od * s[0] - pad[0];
      for (int64_t oh = 0; oh < os[1]; ++oh) {
        start[1] = oh * s[1] - pad[1];
        for (int64_t ow = 0; ow < os[2]; ++ow, ++oi) {
          start[2] = ow * s[2] - pad[2];
          if (o[oi] > std::numeric_limits<float>::lowest()) {
            const auto& step = steps[static_cast<size_t>(ws[oi])];
            idx[oi] = ((start[0] + step[0]) * in[1] + start[1] + step[1]) * in[2] + start[2] + step[2];
          } else {
            scan_window(xp, in, start, steps, o[oi], idx[oi]);
          }
        }
      }
    }
  }
}

struct AvgPoolEntry {
  dnnl::pooling_v2_forward forward;
};

struct AvgPoolBackwardEntry {
  dnnl::pooling_v2_backward backward;
};

}  // namespace

void OnednnBackend::max_pool_forward(const KernelArg& out, const KernelArg& indices,
                                     const KernelArg& x, const PoolParams& p) {
  auto g = geometry(x, out, p, true);
  if (!g || indices.dtype != DType::i64 || indices.shape != out.shape || !indices.is_contiguous())
    return OpenblasBackend::max_pool_forward(out, indices, x, p);
  std::shared_ptr<const MaxPoolEntry> e;
  guarded("max_pool_forward", {&out, &x}, [&] {
    e = cached<MaxPoolEntry>(key("max_pool_forward", x, out, p), [&] {
      auto pd = forward_pd(*g, dnnl::algorithm::pooling_max);
      return MaxPoolEntry{dnnl::pooling_v2_forward(pd), pd.workspace_desc(),
                          readable(pd.workspace_desc(), out.shape)};
    });
  });
  if (!e->readable_workspace) return OpenblasBackend::max_pool_forward(out, indices, x, p);
  guarded("max_pool_forward", {&out, &x}, [&] {
    dnnl::memory ws(e->workspace, engine());
    execute(e->primitive, {{DNNL_ARG_SRC, wrap(g->x, x.data)},
                           {DNNL_ARG_DST, wrap(g->out, out.data)},
                           {DNNL_ARG_WORKSPACE, ws}});
    if (e->workspace.data_type() == dnnl::memory::data_type::u8)
      workspace_to_indices(static_cast<const uint8_t*>(ws.get_data_handle()), indices, out, x, p);
    else
      workspace_to_indices(static_cast<const int32_t*>(ws.get_data_handle()), indices, out, x, p);
  });
}

void OnednnBackend::max_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                      const KernelArg& indices) {
  if (!all_f32({&grad_x, &grad_out}) || !all_dense({&grad_x, &grad_out, &indices}) ||
      indices.dtype != DType::i64 || indices.shape != grad_out.shape || grad_x.dim() < 3 ||
      grad_out.dim() != grad_x.dim() || grad_out.shape[0] != grad_x.shape[0] ||
      grad_out.shape[1] != grad_x.shape[1])
    return OpenblasBackend::max_pool_backward(grad_x, grad_out, indices);
  // Each (n, c) plane's gradient only receives its own outputs' gradients, so planes scatter in
  // parallel without conflicts.
  int64_t planes = grad_x.shape[0] * grad_x.shape[1];
  int64_t in_plane = grad_x.numel() / planes, out_plane = grad_out.numel() / planes;
  float* gx = grad_x.ptr<float>();
  const float* go = grad_out.ptr<float>();
  const int64_t* idx = indices.ptr<int64_t>();
#pragma omp parallel for
  for (int64_t plane = 0; plane < planes; ++plane) {
    float* gxp = gx + plane * in_plane;
    std::fill(gxp, gxp + in_plane, 0.0f);
    for (int64_t i = plane * out_plane; i < (plane + 1) * out_plane; ++i)
      if (idx[i] >= 0) gxp[idx[i]] += go[i];
  }
}

void OnednnBackend::avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) {
  auto g = geometry(x, out, p, false);
  if (!g || !same_divisor(x, out, p)) return OpenblasBackend::avg_pool_forward(out, x, p);
  guarded("avg_pool_forward", {&out, &x}, [&] {
    auto e = cached<AvgPoolEntry>(key("avg_pool_forward", x, out, p), [&] {
      return AvgPoolEntry{dnnl::pooling_v2_forward(forward_pd(*g, avg_algorithm(p)))};
    });
    execute(e->forward, {{DNNL_ARG_SRC, wrap(g->x, x.data)}, {DNNL_ARG_DST, wrap(g->out, out.data)}});
  });
}

void OnednnBackend::avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out,
                                      const PoolParams& p) {
  auto g = geometry(grad_x, grad_out, p, false);
  if (!g || !same_divisor(grad_x, grad_out, p))
    return OpenblasBackend::avg_pool_backward(grad_x, grad_out, p);
  guarded("avg_pool_backward", {&grad_x, &grad_out}, [&] {
    auto e = cached<AvgPoolBackwardEntry>(key("avg_pool_backward", grad_x, grad_out, p), [&] {
      dnnl::pooling_v2_backward::primitive_desc pd(
          {avg_algorithm(p), g->x, g->out, g->stride, g->kernel, g->dilation, g->pad_l, g->pad_r},
          engine(), forward_pd(*g, avg_algorithm(p)));
      return AvgPoolBackwardEntry{dnnl::pooling_v2_backward(pd)};
    });
    execute(e->backward, {{DNNL_ARG_DIFF_DST, wrap(g->out, grad_out.data)},
                          {DNNL_ARG_DIFF_SRC, wrap(g->x, grad_x.data)}});
  });
}

namespace {

// Adaptive average pooling whose windows all have one size (every input size a multiple of the
// output size, global pooling included) is average pooling with kernel = stride = in / out:
// PyTorch's windows [floor(i·in/out), ceil((i+1)·in/out)) are then [i·k, (i+1)·k).
std::optional<PoolParams> uniform_windows(const KernelArg& x, const KernelArg& out) {
  if (x.dim() < 3 || x.dim() > 5 || out.dim() != x.dim()) return std::nullopt;
  PoolParams p;
  for (int64_t d = 2; d < x.dim(); ++d) {
    int64_t in = x.shape[d], o = out.shape[d];
    if (o < 1 || in % o != 0) return std::nullopt;
    p.kernel.push_back(in / o);
    p.stride.push_back(in / o);
    p.padding.push_back(0);
    p.dilation.push_back(1);
  }
  return p;
}

}  // namespace

void OnednnBackend::adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) {
  auto p = uniform_windows(x, out);
  if (!p) return OpenblasBackend::adaptive_avg_pool_forward(out, x);
  avg_pool_forward(out, x, *p);
}

void OnednnBackend::adaptive_avg_pool_backward(const KernelArg& grad_x, const KernelArg& grad_out) {
  auto p = uniform_windows(grad_x, grad_out);
  if (!p) return OpenblasBackend::adaptive_avg_pool_backward(grad_x, grad_out);
  avg_pool_backward(grad_x, grad_out, *p);
}

}  // namespace gaze
