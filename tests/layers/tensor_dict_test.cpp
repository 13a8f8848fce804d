// Module's general form: inputs in order, named outputs (TensorDict), one input by default.
#include <doctest/doctest.h>

#include "autograd/ops.h"
#include "layers/simple_layers.h"
#include "layers/tensor_dict.h"
#include "support/test_support.h"

using namespace gaze;

TEST_CASE("TensorDict keeps insertion order, replaces by name and names the present outputs when one is missing") {
  TensorDict d{{"out", full({2}, 1.0)}, {"aux", full({2}, 2.0)}};
  d.set("extra", full({1}, 3.0));
  d.set("out", full({2}, 4.0));
  REQUIRE(d.items().size() == 3);
  CHECK(d.items()[0].first == "out");
  CHECK(d.items()[2].first == "extra");
  CHECK(d.at("out").to_vector<float>() == std::vector<float>{4, 4});
  CHECK(d.contains("aux"));
  CHECK_FALSE(d.contains("logits"));
  CHECK_THROWS_WITH_AS(d.at("logits"), doctest::Contains("no output named 'logits'; this module's outputs: out, aux, extra"), Error);
}

TEST_CASE("Module::forward_all of a one-input layer is {\"out\": forward(x)}, and more inputs are one error naming the layer") {
  auto relu = std::make_shared<ReLU>();
  Tensor x = arange(-1.0, 2.0);
  TensorDict out = relu->forward_all({x});
  REQUIRE(out.items().size() == 1);
  CHECK(out.at("out").to_vector<float>() == relu->forward(x).to_vector<float>());
  CHECK_THROWS_WITH_AS(relu->forward_all({x, x}), doctest::Contains("ReLU: takes one input, got 2"), Error);
}
