#include "support/device_staging.h"

#include <vector>

#include "framework/device_memory.h"
#include "framework/backend_registry.h"
#include "framework/tensor.h"

namespace gaze::test {
namespace {

// Copies of the arguments of one kernel call on the device.
class Staging {
 public:
  explicit Staging(Device device) : device_(device) { gpu_memory().use_device(device.index); }

  KernelArg in(const KernelArg& host) { return stage(host, false); }
  KernelArg out(const KernelArg& host) { return stage(host, true); }

  // Copies the outputs back (waits for the kernel).
  void finish() {
    for (const Staged& s : staged_)
      if (s.output) gpu_memory().copy_device_to_host(s.host_base, s.memory.raw_data(), s.bytes, device_.index);
  }

 private:
  struct Staged {
    Tensor memory;
    void* host_base = nullptr;
    size_t bytes = 0;
    bool output = false;
  };

  KernelArg stage(const KernelArg& host, bool output) {
    if (host.data == nullptr) return KernelArg{};
    int64_t lo = 0, hi = 0;  // element offsets of the span, relative to data
    for (int64_t d = 0; d < host.dim(); ++d) {
      int64_t reach = (host.shape[d] - 1) * host.strides[d];
      if (host.shape[d] == 0) reach = 0;
      (reach < 0 ? lo : hi) += reach;
    }
    size_t element = dtype_size(host.dtype);
    Staged s;
    s.bytes = host.numel() == 0 ? 0 : static_cast<size_t>(hi - lo + 1) * element;
    s.memory = empty({static_cast<int64_t>(std::max<size_t>(s.bytes, element) / element)}, host.dtype, device_);
    s.host_base = static_cast<char*>(host.data) + lo * static_cast<int64_t>(element);
    s.output = output;
    gpu_memory().copy_host_to_device(s.memory.raw_data(), s.host_base, s.bytes, device_.index);
    KernelArg device = host;
    device.data = static_cast<char*>(s.memory.raw_data()) - lo * static_cast<int64_t>(element);
    staged_.push_back(std::move(s));
    return device;
  }

  Device device_;
  std::vector<Staged> staged_;
};

class DeviceStagingBackend : public Backend {
 public:
  DeviceStagingBackend(Backend& inner, Device device) : inner_(inner), device_(device) {}
  std::string name() const override { return inner_.name(); }
  bool supports(Op op, DType dtype) const override { return inner_.supports(op, dtype); }

  void fill(const KernelArg& out, double value) override {
    Staging s(device_);
    inner_.fill(s.out(out), value);
    s.finish();
  }
  void copy(const KernelArg& out, const KernelArg& in) override {
    Staging s(device_);
    inner_.copy(s.out(out), s.in(in));
    s.finish();
  }
  void unary(UnaryOp op, const KernelArg& out, const KernelArg& x, const UnaryParams& p) override {
    Staging s(device_);
    inner_.unary(op, s.out(out), s.in(x), p);
    s.finish();
  }
  void unary_backward(UnaryOp op, const KernelArg& gx, const KernelArg& gy, const KernelArg& x, const KernelArg& y,
                      const UnaryParams& p) override {
    Staging s(device_);
    inner_.unary_backward(op, s.out(gx), s.in(gy), s.in(x), s.in(y), p);
    s.finish();
  }
  void binary(BinaryOp op, const KernelArg& out, const KernelArg& a, const KernelArg& b) override {
    Staging s(device_);
    inner_.binary(op, s.out(out), s.in(a), s.in(b));
    s.finish();
  }
  void reduce(ReduceOp op, const KernelArg& out, const KernelArg& in) override {
    Staging s(device_);
    inner_.reduce(op, s.out(out), s.in(in));
    s.finish();
  }
  void matmul(const KernelArg& out, const KernelArg& a, const KernelArg& b) override {
    Staging s(device_);
    inner_.matmul(s.out(out), s.in(a), s.in(b));
    s.finish();
  }
  void conv_forward(const KernelArg& out, const KernelArg& x, const KernelArg& w, const ConvParams& p) override {
    Staging s(device_);
    inner_.conv_forward(s.out(out), s.in(x), s.in(w), p);
    s.finish();
  }
  void conv_backward_data(const KernelArg& gx, const KernelArg& gy, const KernelArg& w, const ConvParams& p) override {
    Staging s(device_);
    inner_.conv_backward_data(s.out(gx), s.in(gy), s.in(w), p);
    s.finish();
  }
  void conv_backward_weight(const KernelArg& gw, const KernelArg& gy, const KernelArg& x, const ConvParams& p) override {
    Staging s(device_);
    inner_.conv_backward_weight(s.out(gw), s.in(gy), s.in(x), p);
    s.finish();
  }
  void max_pool_forward(const KernelArg& out, const KernelArg& idx, const KernelArg& x, const PoolParams& p) override {
    Staging s(device_);
    inner_.max_pool_forward(s.out(out), s.out(idx), s.in(x), p);
    s.finish();
  }
  void max_pool_backward(const KernelArg& gx, const KernelArg& gy, const KernelArg& idx) override {
    Staging s(device_);
    inner_.max_pool_backward(s.out(gx), s.in(gy), s.in(idx));
    s.finish();
  }
  void avg_pool_forward(const KernelArg& out, const KernelArg& x, const PoolParams& p) override {
    Staging s(device_);
    inner_.avg_pool_forward(s.out(out), s.in(x), p);
    s.finish();
  }
  void avg_pool_backward(const KernelArg& gx, const KernelArg& gy, const PoolParams& p) override {
    Staging s(device_);
    inner_.avg_pool_backward(s.out(gx), s.in(gy), p);
    s.finish();
  }
  void adaptive_avg_pool_forward(const KernelArg& out, const KernelArg& x) override {
    Staging s(device_);
    inner_.adaptive_avg_pool_forward(s.out(out), s.in(x));
    s.finish();
  }
  void adaptive_avg_pool_backward(const KernelArg& gx, const KernelArg& gy) override {
    Staging s(device_);
    inner_.adaptive_avg_pool_backward(s.out(gx), s.in(gy));
    s.finish();
  }
  void batch_norm_forward(const KernelArg& out, const KernelArg& mean, const KernelArg& invstd, const KernelArg& x,
                          const KernelArg& w, const KernelArg& b, double eps) override {
    Staging s(device_);
    inner_.batch_norm_forward(s.out(out), s.out(mean), s.out(invstd), s.in(x), s.in(w), s.in(b), eps);
    s.finish();
  }
  void batch_norm_backward(const KernelArg& gx, const KernelArg& gw, const KernelArg& gb, const KernelArg& gy,
                           const KernelArg& x, const KernelArg& w, const KernelArg& mean, const KernelArg& invstd) override {
    Staging s(device_);
    inner_.batch_norm_backward(s.out(gx), s.out(gw), s.out(gb), s.in(gy), s.in(x), s.in(w), s.in(mean), s.in(invstd));
    s.finish();
  }
  void softmax_forward(const KernelArg& out, const KernelArg& x, int64_t dim, bool log) override {
    Staging s(device_);
    inner_.softmax_forward(s.out(out), s.in(x), dim, log);
    s.finish();
  }
  void softmax_backward(const KernelArg& gx, const KernelArg& gy, const KernelArg& y, int64_t dim, bool log) override {
    Staging s(device_);
    inner_.softmax_backward(s.out(gx), s.in(gy), s.in(y), dim, log);
    s.finish();
  }
  void upsample_forward(UpsampleMode mode, bool align, const KernelArg& out, const KernelArg& x) override {
    Staging s(device_);
    inner_.upsample_forward(mode, align, s.out(out), s.in(x));
    s.finish();
  }
  void upsample_backward(UpsampleMode mode, bool align, const KernelArg& gx, const KernelArg& gy) override {
    Staging s(device_);
    inner_.upsample_backward(mode, align, s.out(gx), s.in(gy));
    s.finish();
  }
  void nll_loss_forward(const KernelArg& loss, const KernelArg& sw, const KernelArg& logp, const KernelArg& target,
                        const KernelArg& weight, int64_t ignore_index) override {
    Staging s(device_);
    inner_.nll_loss_forward(s.out(loss), s.out(sw), s.in(logp), s.in(target), s.in(weight), ignore_index);
    s.finish();
  }
  void nll_loss_backward(const KernelArg& gx, const KernelArg& gl, const KernelArg& target, const KernelArg& weight,
                         int64_t ignore_index) override {
    Staging s(device_);
    inner_.nll_loss_backward(s.out(gx), s.in(gl), s.in(target), s.in(weight), ignore_index);
    s.finish();
  }
  void attention_forward(const KernelArg& out, const KernelArg& lse, const KernelArg& q, const KernelArg& k,
                         const KernelArg& v, double scale) override {
    Staging s(device_);
    inner_.attention_forward(s.out(out), s.out(lse), s.in(q), s.in(k), s.in(v), scale);
    s.finish();
  }
  void attention_backward(const KernelArg& gq, const KernelArg& gk, const KernelArg& gv, const KernelArg& gout,
                          const KernelArg& q, const KernelArg& k, const KernelArg& v, const KernelArg& out,
                          const KernelArg& lse, double scale) override {
    Staging s(device_);
    inner_.attention_backward(s.out(gq), s.out(gk), s.out(gv), s.in(gout), s.in(q), s.in(k), s.in(v), s.in(out),
                              s.in(lse), scale);
    s.finish();
  }

 private:
  Backend& inner_;
  Device device_;
};

}  // namespace

std::unique_ptr<Backend> make_device_staging_backend(Device device, std::string& why) {
  if (!cuda_backend_built()) {
    why = "this build has no CUDA backend";
    return nullptr;
  }
  if (gpu_memory().device_count() <= device.index) {
    why = gpu_memory().device_count() == 0 ? "no CUDA device: " + gpu_memory().unavailable_reason() : "no " + device.str();
    return nullptr;
  }
  return std::make_unique<DeviceStagingBackend>(get_backend("cuda"), device);
}

}  // namespace gaze::test
