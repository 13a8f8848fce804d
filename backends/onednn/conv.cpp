// Convolutions (1D to 3D, strided, padded, dilated, grouped) as oneDNN convolution primitives.
// The primitives choose their own memory layouts (format_tag::any): the blocked layouts they
// pick beat the plain-layout (gemm) implementation about 2x even with the reorders in and out of
// our plain NC(D)HW arrays (docs/backends.md, "Measured design choices"); where the chosen layout
// is the plain one there is no reorder at all, and where it would pad the channels heavily the
// plain layouts are used instead. Convolutions with a handful of channels (CBAM's 7×7 from 2
// channels to 1) go to the openblas backend's direct kernels (openblas/thin_conv.h): oneDNN ran
// them in a generic kernel ~5x slower (docs/backends.md, "Measured design choices"). 3×3 stride-1
// convolutions of 16 channels and more use Winograd where oneDNN has it (conv_algorithm.h).
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "backends/onednn/context.h"
#include "backends/onednn/conv_algorithm.h"
#include "backends/onednn/onednn_backend.h"
#include "backends/openblas/thin_conv.h"
#include "framework/host_allocator.h"

namespace gaze {
using namespace onednn;

namespace {

// The plain descriptors of one convolution and its geometry in oneDNN's terms.
struct ConvGeometry {
  dnnl::memory::desc x, weight, out;
  dims stride, dilation, pad_l, pad_r;
};

// nullopt when the arguments are not an f32 convolution oneDNN can run; the parent then runs it
// (or reports the shape error).
std::optional<ConvGeometry> geometry(const KernelArg& x, const KernelArg& weight,
                                     const KernelArg& out, const ConvParams& p) {
  if (!all_f32({&x, &weight, &out}) || !all_dense({&x, &weight, &out})) return std::nullopt;
  int64_t rank = x.dim(), spatial = rank - 2;
  if (rank < 3 || rank > 5 || weight.dim() != rank || out.dim() != rank) return std::nullopt;
  if (std::ssize(p.stride) != spatial || std::ssize(p.padding) != spatial ||
      std::ssize(p.dilation) != spatial || p.groups < 1)
    return std::nullopt;
  int64_t groups = p.groups;
  if (x.shape[0] != out.shape[0] || weight.shape[0] != out.shape[1] ||
      weight.shape[1] * groups != x.shape[1] || out.shape[1] % groups != 0)
    return std::nullopt;
  ConvGeometry g;
  for (int64_t d = 0; d < spatial; ++d) {
    int64_t in = x.shape[2 + d], k = weight.shape[2 + d], o = out.shape[2 + d];
    int64_t s = p.stride[d], dil = p.dilation[d], pad = p.padding[d];
    if (s < 1 || dil < 1 || pad < 0) return std::nullopt;
    int64_t extent = (k - 1) * dil + 1;
    if ((in + 2 * pad - extent) / s + 1 != o) return std::nullopt;
    g.stride.push_back(s);
    g.dilation.push_back(dil - 1);  // oneDNN counts the gaps: 0 is a dense kernel
    g.pad_l.push_back(pad);
    // The right padding that makes oneDNN's output size ours; PyTorch pads both sides by `pad`,
    // but padding no window reaches changes nothing.
    g.pad_r.push_back(std::max<int64_t>(0, (o - 1) * s + extent - in - pad));
  }
  g.x = f32_desc(x.shape);
  g.out = f32_desc(out.shape);
  if (groups == 1) {
    g.weight = f32_desc(weight.shape);
  } else {
    // oneDNN's grouped weights [G, O/G, C/G, k...] are our [O, C/G, k...] memory.
    Shape grouped{groups, weight.shape[0] / groups};
    grouped.insert(grouped.end(), weight.shape.begin() + 1, weight.shape.end());
    g.weight = f32_desc(grouped);
  }
  return g;
}

std::string params_key(const ConvParams& p) {
  return fmt::format("s{} p{} d{} g{}", fmt::join(p.stride, ","), fmt::join(p.padding, ","),
                     fmt::join(p.dilation, ","), p.groups);
}

// The descriptor that lets the primitive choose the layout.
dnnl::memory::desc any(const dnnl::memory::desc& plain) {
  return dnnl::memory::desc(plain.dims(), dnnl::memory::data_type::f32, tag::any);
}

// Blocked layouts pad the channels to the block (16 on AVX-512). Where that more than doubles an
// activation (one output channel, one input channel) the plain layouts win, by 2-4x on the
// shapes measured (docs/backends.md).
bool padding_heavy(const dnnl::memory::desc& plain, const dnnl::memory::desc& chosen) {
  return chosen.get_size() > 2 * plain.get_size();
}

// An argument as the primitive sees it: our array itself, or a copy in the chosen layout held in
// a block of gaze's caching host allocator. Blocked copies are as large as the activations and
// made on every call; fresh blocks would be page-faulted each time, which costs several times the
// convolution itself (docs/backends.md).
class Staged {
 public:
  Staged(const dnnl::memory::desc& desc, const void* data) : memory_(wrap(desc, data)) {}
  explicit Staged(const dnnl::memory::desc& desc)
      : bytes_(desc.get_size()), scratch_(host_allocate(bytes_)), memory_(wrap(desc, scratch_)) {}
  Staged(Staged&& other) noexcept
      : bytes_(other.bytes_), scratch_(std::exchange(other.scratch_, nullptr)),
        memory_(std::move(other.memory_)) {}
  Staged(const Staged&) = delete;
  Staged& operator=(const Staged&) = delete;
  Staged& operator=(Staged&&) = delete;
  ~Staged() {
    if (scratch_ != nullptr) host_release(scratch_, bytes_);
  }
  const dnnl::memory& memory() const { return memory_; }

 private:
  size_t bytes_ = 0;
  void* scratch_ = nullptr;
  dnnl::memory memory_;
};

// One argument moved between our plain layout and the layout the primitive chose; `reorder` is
// empty when they are the same and the primitive reads or writes our array directly.
struct Bridge {
  dnnl::memory::desc plain, chosen;
  std::optional<dnnl::reorder> reorder;

  Bridge(const dnnl::memory::desc& plain_desc, const dnnl::memory::desc& chosen_desc, bool input)
      : plain(plain_desc), chosen(chosen_desc) {
    if (plain == chosen) return;
    reorder = input ? dnnl::reorder(dnnl::reorder::primitive_desc(engine(), plain, engine(), chosen))
                    : dnnl::reorder(dnnl::reorder::primitive_desc(engine(), chosen, engine(), plain));
  }

  // An input in the chosen layout.
  Staged in(const void* data) const {
    if (!reorder) return Staged(plain, data);
    Staged moved(chosen);
    execute(*reorder, {{DNNL_ARG_FROM, wrap(plain, data)}, {DNNL_ARG_TO, moved.memory()}});
    return moved;
  }
  // Where the primitive writes an output; finish() then moves it into our array.
  Staged out(void* data) const { return reorder ? Staged(chosen) : Staged(plain, data); }
  void finish(const Staged& written, void* data) const {
    if (reorder)
      execute(*reorder, {{DNNL_ARG_FROM, written.memory()}, {DNNL_ARG_TO, wrap(plain, data)}});
  }
};

// Winograd is tried only where both channel counts fill a vector block: with fewer, oneDNN pads
// the channels and the plain-layout path (padding_heavy) would rule the result out anyway.
bool winograd_candidate(const ConvGeometry& g) {
  auto w = g.weight.dims(), x = g.x.dims();
  return winograd_allowed() && w.size() == 4 && x.size() == 4 && w[2] == 3 && w[3] == 3 &&
         g.stride == dims{1, 1} && g.dilation == dims{0, 0} && w[0] >= 16 && w[1] >= 16;
}

// The first primitive descriptor `make` builds: Winograd where it is a candidate and oneDNN
// implements it on this CPU and shape (it throws `unimplemented` otherwise, e.g. without
// AVX-512), else direct.
template <typename Pd>
Pd winograd_or_direct(const ConvGeometry& g, const std::function<Pd(dnnl::algorithm)>& make) {
  if (winograd_candidate(g)) {
    try {
      return make(dnnl::algorithm::convolution_winograd);
    } catch (const dnnl::error&) {
    }
  }
  return make(dnnl::algorithm::convolution_direct);
}

// `blocked`: let the primitives choose the layouts; otherwise our plain ones.
dnnl::convolution_forward::primitive_desc forward_pd(const ConvGeometry& g, bool blocked) {
  auto d = [&](const dnnl::memory::desc& plain) { return blocked ? any(plain) : plain; };
  using Pd = dnnl::convolution_forward::primitive_desc;
  return winograd_or_direct<Pd>(g, [&](dnnl::algorithm a) {
    return Pd({dnnl::prop_kind::forward_training, a, d(g.x), d(g.weight), d(g.out), g.stride,
               g.dilation, g.pad_l, g.pad_r},
              engine());
  });
}

dnnl::convolution_backward_data::primitive_desc backward_data_pd(const ConvGeometry& g,
                                                                 bool blocked) {
  auto d = [&](const dnnl::memory::desc& plain) { return blocked ? any(plain) : plain; };
  using Pd = dnnl::convolution_backward_data::primitive_desc;
  return winograd_or_direct<Pd>(g, [&](dnnl::algorithm a) {
    return Pd({a, d(g.x), d(g.weight), d(g.out), g.stride, g.dilation, g.pad_l, g.pad_r},
              engine(), forward_pd(g, blocked));
  });
}

dnnl::convolution_backward_weights::primitive_desc backward_weight_pd(const ConvGeometry& g,
                                                                      bool blocked) {
  auto d = [&](const dnnl::memory::desc& plain) { return blocked ? any(plain) : plain; };
  using Pd = dnnl::convolution_backward_weights::primitive_desc;
  return winograd_or_direct<Pd>(g, [&](dnnl::algorithm a) {
    return Pd({a, d(g.x), d(g.weight), d(g.out), g.stride, g.dilation, g.pad_l, g.pad_r},
              engine(), forward_pd(g, blocked));
  });
}

struct ConvForwardEntry {
  dnnl::convolution_forward primitive;
  Bridge x, weight, out;
};

struct BackwardDataEntry {
  dnnl::convolution_backward_data primitive;
  Bridge grad_out, weight, grad_x;
};

struct BackwardWeightEntry {
  dnnl::convolution_backward_weights primitive;
  Bridge grad_out, x, grad_weight;
};

}  // namespace

void OnednnBackend::conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& weight,
                                 const ConvParams& p) {
  auto g = geometry(x, weight, out, p);
  if (!g || openblas::thin_conv_applies(x, weight, out, p)) return OpenblasBackend::conv_forward(out, x, weight, p);
  guarded("conv_forward", {&out, &x, &weight}, [&] {
    std::string key = fmt::format("conv_forward {} {} {}", shape_str(x.shape),
                                  shape_str(weight.shape), params_key(p));
    auto e = cached<ConvForwardEntry>(key, [&] {
      auto pd = forward_pd(*g, true);
      if (padding_heavy(g->x, pd.src_desc()) || padding_heavy(g->out, pd.dst_desc()))
        pd = forward_pd(*g, false);
      return ConvForwardEntry{dnnl::convolution_forward(pd), Bridge(g->x, pd.src_desc(), true),
                          Bridge(g->weight, pd.weights_desc(), true),
                          Bridge(g->out, pd.dst_desc(), false)};
    });
    Staged src = e->x.in(x.data), weights = e->weight.in(weight.data), dst = e->out.out(out.data);
    execute(e->primitive, {{DNNL_ARG_SRC, src.memory()},
                           {DNNL_ARG_WEIGHTS, weights.memory()},
                           {DNNL_ARG_DST, dst.memory()}});
    e->out.finish(dst, out.data);
  });
}

namespace {

// The cached primitive of each backward pass, by its shapes; geometry() has accepted them.
std::shared_ptr<const BackwardDataEntry> backward_data_entry(const ConvGeometry& g, const KernelArg& grad_x, const KernelArg& weight,
                                                             const ConvParams& p) {
  std::string key = fmt::format("conv_backward_data {} {} {}", shape_str(grad_x.shape), shape_str(weight.shape), params_key(p));
  return cached<BackwardDataEntry>(key, [&] {
    auto pd = backward_data_pd(g, true);
    if (padding_heavy(g.x, pd.diff_src_desc()) || padding_heavy(g.out, pd.diff_dst_desc())) pd = backward_data_pd(g, false);
    return BackwardDataEntry{dnnl::convolution_backward_data(pd), Bridge(g.out, pd.diff_dst_desc(), true),
                             Bridge(g.weight, pd.weights_desc(), true), Bridge(g.x, pd.diff_src_desc(), false)};
  });
}

std::shared_ptr<const BackwardWeightEntry> backward_weight_entry(const ConvGeometry& g, const KernelArg& x, const KernelArg& grad_weight,
                                                           const ConvParams& p) {
  std::string key = fmt::format("conv_backward_weight {} {} {}", shape_str(x.shape), shape_str(grad_weight.shape), params_key(p));
  return cached<BackwardWeightEntry>(key, [&] {
    auto pd = backward_weight_pd(g, true);
    if (padding_heavy(g.x, pd.src_desc()) || padding_heavy(g.out, pd.diff_dst_desc())) pd = backward_weight_pd(g, false);
    return BackwardWeightEntry{dnnl::convolution_backward_weights(pd), Bridge(g.out, pd.diff_dst_desc(), true),
                               Bridge(g.x, pd.src_desc(), true), Bridge(g.weight, pd.diff_weights_desc(), false)};
  });
}

// Each pass given grad_out already in the layout its primitive chose.
void run_backward_data(const BackwardDataEntry& e, const Staged& diff_dst, const KernelArg& grad_x, const KernelArg& weight) {
  Staged weights = e.weight.in(weight.data), diff_src = e.grad_x.out(grad_x.data);
  execute(e.primitive, {{DNNL_ARG_DIFF_DST, diff_dst.memory()},
                        {DNNL_ARG_WEIGHTS, weights.memory()},
                        {DNNL_ARG_DIFF_SRC, diff_src.memory()}});
  e.grad_x.finish(diff_src, grad_x.data);
}

void run_backward_weight(const BackwardWeightEntry& e, const Staged& diff_dst, const KernelArg& grad_weight, const KernelArg& x) {
  Staged src = e.x.in(x.data), diff_weights = e.grad_weight.out(grad_weight.data);
  execute(e.primitive, {{DNNL_ARG_DIFF_DST, diff_dst.memory()},
                        {DNNL_ARG_SRC, src.memory()},
                        {DNNL_ARG_DIFF_WEIGHTS, diff_weights.memory()}});
  e.grad_weight.finish(diff_weights, grad_weight.data);
}

}  // namespace

void OnednnBackend::conv_backward_data(const KernelArg& grad_x, const KernelArg& grad_out,
                                       const KernelArg& weight, const ConvParams& p) {
  auto g = geometry(grad_x, weight, grad_out, p);
  if (!g || openblas::thin_conv_applies(grad_x, weight, grad_out, p)) return OpenblasBackend::conv_backward_data(grad_x, grad_out, weight, p);
  guarded("conv_backward_data", {&grad_x, &grad_out, &weight}, [&] {
    auto e = backward_data_entry(*g, grad_x, weight, p);
    run_backward_data(*e, e->grad_out.in(grad_out.data), grad_x, weight);
  });
}

void OnednnBackend::conv_backward_weight(const KernelArg& grad_weight, const KernelArg& grad_out,
                                         const KernelArg& x, const ConvParams& p) {
  auto g = geometry(x, grad_weight, grad_out, p);
  if (!g || openblas::thin_conv_applies(x, grad_weight, grad_out, p)) return OpenblasBackend::conv_backward_weight(grad_weight, grad_out, x, p);
  guarded("conv_backward_weight", {&grad_weight, &grad_out, &x}, [&] {
    auto e = backward_weight_entry(*g, x, grad_weight, p);
    run_backward_weight(*e, e->grad_out.in(grad_out.data), grad_weight, x);
  });
}

// Both passes read grad_out; where their primitives chose the same layout for it (the usual
// case), it is moved into that layout once: a reorder of an activation-sized array saved per
// convolution and step.
void OnednnBackend::conv_backward(const KernelArg& grad_x, const KernelArg& grad_weight, const KernelArg& grad_out,
                                  const KernelArg& x, const KernelArg& weight, const ConvParams& p) {
  auto g = geometry(grad_x, weight, grad_out, p);
  if (!g || !geometry(x, grad_weight, grad_out, p) || openblas::thin_conv_applies(grad_x, weight, grad_out, p))
    return Backend::conv_backward(grad_x, grad_weight, grad_out, x, weight, p);
  guarded("conv_backward", {&grad_x, &grad_weight, &grad_out, &x, &weight}, [&] {
    auto data = backward_data_entry(*g, grad_x, weight, p);
    auto weights = backward_weight_entry(*g, x, grad_weight, p);
    if (data->grad_out.chosen != weights->grad_out.chosen) {
      run_backward_data(*data, data->grad_out.in(grad_out.data), grad_x, weight);
      run_backward_weight(*weights, weights->grad_out.in(grad_out.data), grad_weight, x);
      return;
    }
    Staged diff_dst = data->grad_out.in(grad_out.data);
    run_backward_data(*data, diff_dst, grad_x, weight);
    run_backward_weight(*weights, diff_dst, grad_weight, x);
  });
}

namespace onednn {

bool winograd_allowed() {
  static const bool allowed = [] {
    const char* env = std::getenv("GAZE_CONV_WINOGRAD");
    return env == nullptr || std::string(env) != "0";
  }();
  return allowed;
}

std::string conv_algorithm_description() {
  if (!winograd_allowed()) return "direct (GAZE_CONV_WINOGRAD=0)";
  try {
    // A shape Winograd serves wherever oneDNN has the kernels.
    ConvGeometry g{f32_desc({1, 16, 8, 8}), f32_desc({16, 16, 3, 3}), f32_desc({1, 16, 8, 8}),
                   {1, 1}, {0, 0}, {1, 1}, {1, 1}};
    auto pd = forward_pd(g, true);
    if (std::string(pd.impl_info_str()).find("wino") != std::string::npos)
      return "Winograd for 3x3 stride-1 convolutions of >= 16 channels, direct for the rest "
             "(GAZE_CONV_WINOGRAD=0: all direct)";
  } catch (const dnnl::error&) {
  }
  return "direct (oneDNN has no Winograd kernels for this CPU: they need AVX-512)";
}

}  // namespace onednn
}  // namespace gaze
