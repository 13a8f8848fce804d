// SE's and CBAM's fused path (gate_multiply, position_mean_max, channel_mean_max: where the
// backend has the kernels) against their composite path (GateFusionOff: elementwise ops and
// reductions, what a backend without the kernels runs), on every CPU backend: the output, the
// recorded attention map, the gradient of the input and of every parameter, in training mode
// (the spatial gate's BatchNorm on batch statistics).
#include "autograd/ops.h"
#include "framework/backend_registry.h"
#include "framework/random.h"
#include "layers/attention/cbam.h"
#include "layers/attention/squeeze_excitation.h"
#include "support/golden.h"
#include "support/scoped_backend.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;

namespace {

struct GateRun {
  Tensor out, map, grad_x;
  std::map<std::string, Tensor> grads;
};

GateRun run_gate_layer(Module& layer, AttentionMapRecorder* recorder, const Tensor& x_in, const Tensor& weight) {
  Tensor x = x_in.detach().set_requires_grad(true);
  layer.zero_grad();
  if (recorder) recorder->record_attention(true);
  GateRun run;
  run.out = layer.forward(x);
  sum(run.out * weight).backward();
  run.out = run.out.detach();
  if (recorder) run.map = recorder->last_attention();
  run.grad_x = x.grad();
  for (auto& [name, p] : layer.named_parameters()) run.grads[name] = p.grad();
  return run;
}

// The same layer (one set of weights) through both paths, in f32 on every CPU backend and f64.
void check_fused_equals_composite(const std::function<std::shared_ptr<Module>()>& make, const Shape& input_shape) {
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    ScopedBackend use(backend);
    for (DType dt : {DType::f32, DType::f64}) {
      CAPTURE(dtype_name(dt));
      double tol = dt == DType::f64 ? 1e-10 : 1e-5;
      // The weights from a fixed seed too, not from wherever the tests before left the global
      // generator: the spatial gate's BatchNorm weight gradient sums terms that nearly cancel, and
      // some draws put its f32 rounding above 1e-5 of its size.
      manual_seed(17);
      std::shared_ptr<Module> layer = make();
      layer->to(dt);
      layer->train();
      auto* recorder = dynamic_cast<AttentionMapRecorder*>(layer.get());
      Generator g(17);
      Tensor x = uniform(input_shape, -2.0, 2.0, dt, &g), weight = uniform(input_shape, -1.0, 1.0, dt, &g);
      // Each BatchNorm's running statistics move once per forward; both runs start from the same state.
      std::map<std::string, Tensor> state = layer->state_dict();
      for (auto& [key, t] : state) t = clone(t.detach());
      REQUIRE(gate_kernels_available(x));
      GateRun fused = run_gate_layer(*layer, recorder, x, weight);
      layer->load_state_dict(state);
      GateRun composite;
      {
        GateFusionOff off;
        composite = run_gate_layer(*layer, recorder, x, weight);
      }
      check_relative(fused.out, composite.out, tol, "output");
      check_relative(fused.grad_x, composite.grad_x, tol, "gradient of the input");
      if (recorder) check_relative(fused.map, composite.map, tol, "attention map");
      for (auto& [name, grad] : composite.grads) check_relative(fused.grads.at(name), grad, tol, "gradient of " + name);
    }
  }
}

}  // namespace

TEST_CASE("SqueezeExcitation: the fused gate multiply equals x * gate, forward and backward, 2D and 3D") {
  check_fused_equals_composite([] { return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{16, 4}); }, {3, 16, 9, 11});
  check_fused_equals_composite([] { return std::make_shared<SqueezeExcitation>(SqueezeExcitationOptions{.channels = 8, .reduction = 2, .bias = false}); },
                               {2, 8, 3, 4, 5});
}

TEST_CASE("ChannelGate: one mean-and-max pass and one MLP batch equal the two descriptors' MLPs, either pool order") {
  check_fused_equals_composite([] { return std::make_shared<ChannelGate>(ChannelGateOptions{16, 4}); }, {3, 16, 9, 11});
  check_fused_equals_composite(
      [] { return std::make_shared<ChannelGate>(ChannelGateOptions{.channels = 16, .reduction = 4, .pool_types = {ChannelPool::max, ChannelPool::avg}}); },
      {2, 16, 300});
  // Other descriptors keep their reductions; the gate multiply is still fused.
  check_fused_equals_composite(
      [] { return std::make_shared<ChannelGate>(ChannelGateOptions{.channels = 8, .reduction = 2, .pool_types = {ChannelPool::avg, ChannelPool::lse}}); },
      {2, 8, 5, 5});
}

TEST_CASE("SpatialGate: the fused channel mean and max equal cat(mean, max), both orders, with and without BN") {
  check_fused_equals_composite([] { return std::make_shared<SpatialGate>(SpatialGateOptions{}); }, {3, 16, 17, 19});
  check_fused_equals_composite(
      [] { return std::make_shared<SpatialGate>(SpatialGateOptions{.kernel = 3, .bn = true, .pool_order = SpatialPoolOrder::max_mean}); },
      {2, 5, 16, 18});
  check_fused_equals_composite([] { return std::make_shared<SpatialGate>(SpatialGateOptions{.kernel = 3, .dims = 1}); }, {2, 6, 300});
}

TEST_CASE("CBAM: fused equals composite, the paper's form and the authors' (BN, [max; mean])") {
  check_fused_equals_composite([] { return std::make_shared<CBAM>(CBAMOptions{.channels = 32, .reduction = 8}); }, {2, 32, 16, 16});
  check_fused_equals_composite(
      [] {
        return std::make_shared<CBAM>(CBAMOptions{.channels = 16, .reduction = 4, .spatial_kernel = 3, .spatial_bn = true,
                                                  .spatial_pool_order = SpatialPoolOrder::max_mean});
      },
      {2, 16, 7, 9});
}
