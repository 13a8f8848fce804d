#include "support/layer_checks.h"

#include "framework/backend_registry.h"

namespace gaze::test {

void check_layer_gradients(const std::shared_ptr<Module>& module, const Shape& input_shape, uint64_t seed) {
  module->to(DType::f64);
  module->train();
  std::vector<Tensor> inputs{leaf(input_shape, seed)};
  for (Tensor p : module->parameters()) inputs.push_back(p);
  check_gradients([module](const std::vector<Tensor>& in) { return module->forward(in[0]); }, inputs);
}

const nlohmann::json& layer_fixtures() {
  static nlohmann::json data = load_golden("layers.json");
  return data;
}

void on_every_backend(const std::function<void(DType, double)>& run) {
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    set_cpu_backend(backend);
    run(DType::f32, 1e-4);
  }
  set_cpu_backend("reference");
  run(DType::f64, 1e-9);
}

Tensor plain_forward(Module& m, const Tensor& x) { return m.forward(x); }

void check_layer(const std::string& name, const std::function<std::shared_ptr<Module>()>& make, LayerForward forward) {
  CAPTURE(name);
  const nlohmann::json& c = layer_fixtures().at(name);
  std::map<std::string, Tensor> state;
  for (auto& [key, value] : c.at("state").items()) state[key] = golden_tensor(value);
  auto run = [&](DType dtype, double tol) {
    std::shared_ptr<Module> module = make();
    module->to(dtype);
    module->load_state_dict(state);
    module->train();
    Tensor x = golden_tensor(c.at("input"), dtype).set_requires_grad(true);
    Tensor out = forward(*module, x);
    check_relative(out, golden_tensor(c.at("output")), tol, "output");
    out.backward(golden_tensor(c.at("grad_output"), dtype));
    check_relative(x.grad(), golden_tensor(c.at("grad_input")), tol, "gradient of the input");
    for (auto& [param, t] : module->named_parameters()) {
      REQUIRE_MESSAGE(c.at("grads").contains(param), "the fixture has no gradient for " << param);
      check_relative(t.grad(), golden_tensor(c.at("grads").at(param)), tol, "gradient of " + param);
    }
  };
  on_every_backend(run);
}

namespace {
std::vector<std::string>& specs() {
  static std::vector<std::string> all;
  return all;
}
}  // namespace

bool add_full_layer_spec(const std::string& yaml) {
  specs().push_back(yaml);
  return true;
}

const std::vector<std::string>& full_layer_specs() { return specs(); }

}  // namespace gaze::test
