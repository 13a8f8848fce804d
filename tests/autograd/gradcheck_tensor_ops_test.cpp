// Backward of the reductions, matrix products, shape ops and softmax against finite
// differences.
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("gradcheck: sum and mean over all dims and over chosen dims, keepdim both ways") {
  Tensor a = leaf({2, 3, 4}, 21);
  check_gradients([](const Inputs& x) { return sum(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return mean(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return sum(x[0], {1}); }, {a});
  check_gradients([](const Inputs& x) { return sum(x[0], {0, 2}, true); }, {a});
  check_gradients([](const Inputs& x) { return mean(x[0], {-1}); }, {a});
  check_gradients([](const Inputs& x) { return mean(x[0], {0, 1}, true); }, {a});
  Tensor t = transposed_leaf({3, 4}, 22);
  check_gradients([](const Inputs& x) { return sum(x[0], {0}); }, {t});
}

TEST_CASE("gradcheck: max, min and var over dims") {
  Tensor a = leaf({3, 4, 2}, 23);
  check_gradients([](const Inputs& x) { return max(x[0]); }, {a});
  check_gradients([](const Inputs& x) { return max(x[0], {1}); }, {a});
  check_gradients([](const Inputs& x) { return min(x[0], {0, 2}, true); }, {a});
  check_gradients([](const Inputs& x) { return var(x[0], {1}); }, {a});
  check_gradients([](const Inputs& x) { return var(x[0], {0, 2}, 0, true); }, {a});
}

TEST_CASE("max over dims splits the gradient evenly between tied maxima") {
  Tensor x = from_vector(std::vector<double>{1, 3, 3, 2}, {4}).set_requires_grad(true);
  max(x).backward();
  check_close(x.grad(), {0, 0.5, 0.5, 0});
}

TEST_CASE("gradcheck: matmul of matrices, vectors and broadcast batches") {
  Tensor a = leaf({3, 4}, 24), b = leaf({4, 5}, 25);
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {a, b});
  Tensor v = leaf({4}, 26), w = leaf({4}, 27);
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {a, v});
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {v, b});
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {v, w});
  Tensor batch = leaf({2, 1, 3, 4}, 28), other = leaf({3, 4, 2}, 29);
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {batch, other});
  Tensor t = transposed_leaf({4, 3}, 30);
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {b, leaf({5, 2}, 31)});
  check_gradients([](const Inputs& x) { return matmul(x[0], x[1]); }, {t, leaf({3, 2}, 32)});
  check_gradients([](const Inputs& x) { return matmul(transpose(x[0], 0, 1), x[0]); }, {a});
}

TEST_CASE("gradcheck: linear with and without bias") {
  Tensor x = leaf({2, 3, 4}, 33), w = leaf({5, 4}, 34), b = leaf({5}, 35);
  check_gradients([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
  check_gradients([](const Inputs& in) { return linear(in[0], in[1]); }, {x, w});
}

TEST_CASE("gradcheck: reshape, view, flatten, permute, transpose, squeeze, unsqueeze, expand") {
  Tensor a = leaf({2, 3, 4}, 36);
  check_gradients([](const Inputs& x) { return reshape(x[0], {4, -1}) * 2.0; }, {a});
  check_gradients([](const Inputs& x) { return view(x[0], {6, 4}) * 2.0; }, {a});
  check_gradients([](const Inputs& x) { return flatten(x[0], 1) * 2.0; }, {a});
  check_gradients([](const Inputs& x) { return permute(x[0], {2, 0, 1}) * arange(0.0, 3.0, 1.0, DType::f64); }, {a});
  check_gradients([](const Inputs& x) { return reshape(transpose(x[0], 0, 2), {-1}) * arange(0.0, 24.0, 1.0, DType::f64); }, {a});
  Tensor s = leaf({3, 1, 2}, 37);
  check_gradients([](const Inputs& x) { return unsqueeze(squeeze(x[0]), 0) * 3.0; }, {s});
  check_gradients([](const Inputs& x) { return squeeze(x[0], 1) * 3.0; }, {s});
  check_gradients([](const Inputs& x) { return expand(x[0], {4, 3, 5, 2}) * reshape(arange(0.0, 5.0, 1.0, DType::f64), {5, 1}); }, {s});
}

TEST_CASE("gradcheck: slice, narrow, select, split, chunk") {
  Tensor a = leaf({5, 6}, 38);
  check_gradients([](const Inputs& x) { return slice(x[0], 1, 1, 6, 2); }, {a});
  check_gradients([](const Inputs& x) { return slice(x[0], 0, -3, 100); }, {a});
  check_gradients([](const Inputs& x) { return narrow(x[0], 0, 1, 3); }, {a});
  check_gradients([](const Inputs& x) { return select(x[0], 1, -1); }, {a});
  check_gradients([](const Inputs& x) {
    auto parts = split(x[0], 2, 1);
    return parts[0] * 2.0 + parts[2];
  }, {a});
  check_gradients([](const Inputs& x) {
    auto parts = chunk(x[0], 3, 0);
    return sum(parts[1]) + sum(parts[2] * parts[2]);
  }, {a});
}

TEST_CASE("gradcheck: cat, stack and pad") {
  Tensor a = leaf({2, 3}, 39), b = leaf({2, 1}, 40), c = leaf({2, 3}, 41);
  check_gradients([](const Inputs& x) { return cat({x[0], x[1], x[2]}, 1) * arange(0.0, 7.0, 1.0, DType::f64); }, {a, b, c});
  check_gradients([](const Inputs& x) { return cat({x[0], x[1]}, 0); }, {a, c});
  check_gradients([](const Inputs& x) { return stack({x[0], x[1]}, 1); }, {a, c});
  check_gradients([](const Inputs& x) { return pad(x[0], {1, 2, 0, 1}, 0.5); }, {a});
}

TEST_CASE("flip reverses one dim (torch.flip's values) and its gradient is the upstream gradient flipped back") {
  Tensor x = reshape(arange(0.0, 12.0, 1.0, DType::f64), {2, 2, 3});
  CHECK(flip(x, -1).to_vector<double>() == std::vector<double>{2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9});
  CHECK(flip(x, 0).to_vector<double>() == std::vector<double>{6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5});
  CHECK(flip(flip(x, 1), 1).to_vector<double>() == x.to_vector<double>());
  Tensor a = leaf({2, 3, 4}, 44), t = transposed_leaf({3, 4}, 45);
  check_gradients([](const Inputs& in) { return flip(in[0], 2) * reshape(arange(0.0, 24.0, 1.0, DType::f64), {2, 3, 4}); }, {a});
  check_gradients([](const Inputs& in) { return flip(in[0], 0) * reshape(arange(0.0, 12.0, 1.0, DType::f64), {3, 4}); }, {t});
}

TEST_CASE("gradcheck: contiguous and clone of views") {
  Tensor t = transposed_leaf({3, 4}, 42);
  check_gradients([](const Inputs& x) { return contiguous(x[0]) * 2.0; }, {t});
  check_gradients([](const Inputs& x) { return clone(x[0]) * 3.0; }, {t});
}

TEST_CASE("gradcheck: softmax and log_softmax over every dim") {
  Tensor a = leaf({2, 3, 4}, 43);
  for (int64_t dim : {0, 1, 2, -1}) {
    CAPTURE(dim);
    check_gradients([dim](const Inputs& x) { return softmax(x[0], dim); }, {a});
    check_gradients([dim](const Inputs& x) { return log_softmax(x[0], dim); }, {a});
  }
  Tensor t = transposed_leaf({3, 4}, 44);
  check_gradients([](const Inputs& x) { return softmax(x[0], 1); }, {t});
}
