// gaze's ops against PyTorch's outputs and gradients (tests/golden/ops.json, written by
// tests/golden/make_op_fixtures.py): the conventions of padding, ceil mode, adaptive windows,
// interpolation and loss weighting match torch.nn.functional exactly.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "framework/backend_registry.h"
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using json = nlohmann::json;

namespace {

const json& fixtures() {
  static json data = [] {
    std::ifstream in(GAZE_TESTS_DIR "/golden/ops.json");
    REQUIRE_MESSAGE(in.good(), "missing tests/golden/ops.json: run tests/golden/make_op_fixtures.py");
    return json::parse(in);
  }();
  return data;
}

Tensor tensor_from(const json& j, DType dtype = DType::f64) {
  Shape shape = j.at("shape").get<Shape>();
  if (dtype == DType::i64) return from_vector(j.at("values").get<std::vector<int64_t>>(), shape);
  return from_vector(j.at("values").get<std::vector<double>>(), shape, dtype);
}

// Builds the case's inputs as leaves, runs `fn`, backpropagates the stored output gradient and
// compares output and every input gradient — on every CPU backend built.
void check_case_on_current_backend(const std::string& name, const std::function<Tensor(std::map<std::string, Tensor>&)>& fn) {
  const json& c = fixtures().at(name);
  std::map<std::string, Tensor> in;
  for (auto& [key, value] : c.at("inputs").items()) in[key] = tensor_from(value).set_requires_grad(true);
  for (auto& [key, value] : c.at("int_inputs").items()) in[key] = tensor_from(value, DType::i64);
  Tensor out = fn(in);
  check_close(out, tensor_from(c.at("output")), 1e-10);
  out.backward(tensor_from(c.at("grad_output")));
  for (auto& [key, value] : c.at("grads").items()) {
    CAPTURE(key);
    check_close(in[key].grad(), tensor_from(value), 1e-10);
  }
}

void check_case(const std::string& name, const std::function<Tensor(std::map<std::string, Tensor>&)>& fn) {
  CAPTURE(name);
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    set_cpu_backend(backend);
    check_case_on_current_backend(name, fn);
  }
  set_cpu_backend("reference");
}

Reduction reduction_of(const std::string& name) {
  return name == "sum" ? Reduction::sum : name == "none" ? Reduction::none : Reduction::mean;
}

}  // namespace

TEST_CASE("convolutions match PyTorch: strided, padded, dilated, grouped, 1D to 3D") {
  check_case("conv2d_strided_grouped", [](auto& in) {
    return conv2d(in["x"], in["w"], in["b"], {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}, .groups = 2});
  });
  check_case("conv1d_dilated", [](auto& in) { return conv1d(in["x"], in["w"], Tensor(), {.padding = {2}, .dilation = {2}}); });
  check_case("conv3d", [](auto& in) { return conv3d(in["x"], in["w"], in["b"], {.stride = {1, 2, 2}, .padding = {0, 1, 1}}); });
}

TEST_CASE("pooling matches PyTorch: ceil mode, padding counted or not, dilation, adaptive windows") {
  check_case("max_pool2d_ceil", [](auto& in) { return max_pool2d(in["x"], {.kernel = {3}, .stride = {2}, .padding = {1}, .ceil_mode = true}); });
  check_case("max_pool3d_dilated", [](auto& in) { return max_pool3d(in["x"], {.kernel = {1, 2, 2}, .stride = {1}, .dilation = {1, 2, 1}}); });
  check_case("avg_pool2d_ceil_include_pad", [](auto& in) { return avg_pool2d(in["x"], {.kernel = {3}, .stride = {2}, .padding = {1}, .ceil_mode = true}); });
  check_case("avg_pool2d_exclude_pad", [](auto& in) {
    return avg_pool2d(in["x"], {.kernel = {3}, .stride = {2}, .padding = {1}, .ceil_mode = true, .count_include_pad = false});
  });
  check_case("adaptive_avg_pool2d", [](auto& in) { return adaptive_avg_pool(in["x"], {3, 2}); });
}

TEST_CASE("interpolation matches PyTorch: nearest, bilinear (corners aligned or not, up and down), trilinear") {
  check_case("nearest2d", [](auto& in) { return interpolate(in["x"], {5, 7}, "nearest"); });
  check_case("bilinear2d", [](auto& in) { return interpolate(in["x"], {5, 7}, "bilinear", false); });
  check_case("bilinear2d_aligned", [](auto& in) { return interpolate(in["x"], {5, 7}, "bilinear", true); });
  check_case("bilinear2d_down", [](auto& in) { return interpolate(in["x"], {3, 2}, "bilinear", false); });
  check_case("trilinear3d", [](auto& in) { return interpolate(in["x"], {3, 5, 4}, "trilinear", false); });
}

TEST_CASE("softmax, log_softmax, broadcast matmul and var match PyTorch") {
  check_case("softmax_dim1", [](auto& in) { return softmax(in["x"], 1); });
  check_case("log_softmax_dim2", [](auto& in) { return log_softmax(in["x"], 2); });
  check_case("matmul_broadcast", [](auto& in) { return matmul(in["a"], in["b"]); });
  check_case("var_dims", [](auto& in) { return var(in["x"], {0, 2}, 1, true); });
}

TEST_CASE("batch norm in training matches PyTorch, running statistics included") {
  for (const std::string& backend : available_backends()) {
    CAPTURE(backend);
    set_cpu_backend(backend);
    Tensor running_mean = zeros({3}, DType::f64), running_var = ones({3}, DType::f64);
    check_case_on_current_backend("batch_norm_train", [&](auto& in) {
      return batch_norm(in["x"], in["w"], in["b"], running_mean, running_var, true, 0.1, 1e-5);
    });
    const json& after = fixtures().at("batch_norm_train").at("after");
    check_close(running_mean, tensor_from(after.at("running_mean")), 1e-10);
    check_close(running_var, tensor_from(after.at("running_var")), 1e-10);
  }
  set_cpu_backend("reference");
}

TEST_CASE("cross entropy matches PyTorch with class weights, ignore_index and label smoothing") {
  for (std::string reduction : {"mean", "sum", "none"}) {
    std::string weighted = "cross_entropy_weighted_smoothed_" + reduction;
    check_case(weighted, [&](auto& in) {
      const json& o = fixtures().at(weighted).at("options");
      Tensor weight = from_vector(o.at("weight").get<std::vector<double>>(), {4});
      return cross_entropy(in["x"], in["target"], {.weight = weight, .label_smoothing = 0.1, .reduction = reduction_of(reduction)});
    });
    check_case("cross_entropy_smoothed_" + reduction, [&](auto& in) {
      return cross_entropy(in["x"], in["target"], {.label_smoothing = 0.2, .reduction = reduction_of(reduction)});
    });
  }
  check_case("cross_entropy_spatial_ignore", [](auto& in) { return cross_entropy(in["x"], in["target"], {.ignore_index = 255}); });
}

TEST_CASE("f32 ops agree with the f64 ones to single precision") {
  const json& c = fixtures().at("conv2d_strided_grouped");
  Tensor x = tensor_from(c.at("inputs").at("x"), DType::f32), w = tensor_from(c.at("inputs").at("w"), DType::f32),
         b = tensor_from(c.at("inputs").at("b"), DType::f32);
  Tensor out = conv2d(x, w, b, {.stride = {2, 1}, .padding = {1, 2}, .dilation = {1, 2}, .groups = 2});
  CHECK(out.dtype() == DType::f32);
  check_close(out, tensor_from(c.at("output")), 1e-5);
}
