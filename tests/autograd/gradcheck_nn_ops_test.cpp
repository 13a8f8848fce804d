// Backward of the neural-network ops (convolution, pooling, batch norm, upsampling, losses)
// against finite differences.
#include "support/test_support.h"

using namespace gaze;
using namespace gaze::test;
using Inputs = std::vector<Tensor>;

TEST_CASE("gradcheck: conv1d with stride, padding, dilation and bias") {
  Tensor x = leaf({2, 3, 9}, 51), w = leaf({4, 3, 3}, 52), b = leaf({4}, 53);
  check_gradients([](const Inputs& in) { return conv1d(in[0], in[1], in[2], {.stride = {2}, .padding = {1}, .dilation = {2}}); }, {x, w, b});
}

TEST_CASE("gradcheck: conv2d plain, strided, dilated and grouped") {
  Tensor x = leaf({2, 4, 6, 5}, 54), w = leaf({6, 4, 3, 3}, 55), b = leaf({6}, 56);
  check_gradients([](const Inputs& in) { return conv2d(in[0], in[1], in[2], {.padding = {1}}); }, {x, w, b});
  check_gradients([](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), {.stride = {2, 1}, .padding = {1, 0}, .dilation = {1, 2}}); }, {x, w});
  Tensor wg = leaf({6, 2, 3, 1}, 57);
  check_gradients([](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), {.padding = {1, 0}, .groups = 2}); }, {x, wg});
  Tensor depthwise = leaf({4, 1, 3, 3}, 58);
  check_gradients([](const Inputs& in) { return conv2d(in[0], in[1], Tensor(), {.stride = {2}, .padding = {1}, .groups = 4}); }, {x, depthwise});
}

TEST_CASE("gradcheck: conv3d with a (1,3,3) kernel and a non-contiguous input") {
  Tensor x = leaf({1, 2, 3, 4, 4}, 59), w = leaf({3, 2, 1, 3, 3}, 60), b = leaf({3}, 61);
  check_gradients([](const Inputs& in) { return conv3d(in[0], in[1], in[2], {.padding = {0, 1, 1}}); }, {x, w, b});
  check_gradients([](const Inputs& in) { return conv3d(transpose(in[0], 3, 4), in[1], Tensor(), {.stride = {1, 2, 2}}); }, {x, w});
}

TEST_CASE("gradcheck: max pooling 1D, 2D, 3D with padding, dilation and ceil mode") {
  Tensor x1 = leaf({2, 3, 7}, 62), x2 = leaf({2, 2, 5, 6}, 63), x3 = leaf({1, 2, 4, 4, 4}, 64);
  check_gradients([](const Inputs& in) { return max_pool1d(in[0], {.kernel = {3}, .stride = {2}, .padding = {1}}); }, {x1});
  check_gradients([](const Inputs& in) { return max_pool2d(in[0], {.kernel = {2}}); }, {x2});
  check_gradients([](const Inputs& in) { return max_pool2d(in[0], {.kernel = {3}, .stride = {2}, .padding = {1}, .ceil_mode = true}); }, {x2});
  check_gradients([](const Inputs& in) { return max_pool2d(in[0], {.kernel = {2}, .stride = {1}, .dilation = {2}}); }, {x2});
  check_gradients([](const Inputs& in) { return max_pool3d(in[0], {.kernel = {1, 2, 2}}); }, {x3});
}

TEST_CASE("gradcheck: average pooling with and without counting the padding") {
  Tensor x2 = leaf({2, 2, 5, 6}, 65), x1 = leaf({2, 2, 7}, 66), x3 = leaf({1, 2, 3, 4, 4}, 67);
  check_gradients([](const Inputs& in) { return avg_pool2d(in[0], {.kernel = {2}}); }, {x2});
  check_gradients([](const Inputs& in) { return avg_pool2d(in[0], {.kernel = {3}, .stride = {2}, .padding = {1}, .ceil_mode = true}); }, {x2});
  check_gradients([](const Inputs& in) { return avg_pool2d(in[0], {.kernel = {3}, .stride = {2}, .padding = {1}, .count_include_pad = false}); }, {x2});
  check_gradients([](const Inputs& in) { return avg_pool1d(in[0], {.kernel = {3}, .stride = {2}}); }, {x1});
  check_gradients([](const Inputs& in) { return avg_pool3d(in[0], {.kernel = {1, 2, 2}}); }, {x3});
}

TEST_CASE("gradcheck: adaptive and global pooling") {
  Tensor x = leaf({2, 3, 5, 7}, 68), x1 = leaf({2, 3, 10}, 69), x3 = leaf({1, 2, 3, 5, 4}, 70);
  check_gradients([](const Inputs& in) { return adaptive_avg_pool(in[0], {3, 2}); }, {x});
  check_gradients([](const Inputs& in) { return adaptive_avg_pool(in[0], {1}); }, {x});
  check_gradients([](const Inputs& in) { return adaptive_avg_pool(in[0], {4}); }, {x1});
  check_gradients([](const Inputs& in) { return adaptive_avg_pool(in[0], {2, 3, 3}); }, {x3});
  check_gradients([](const Inputs& in) { return global_avg_pool(in[0]); }, {x});
  check_gradients([](const Inputs& in) { return global_max_pool(in[0]); }, {x});
}

TEST_CASE("gradcheck: batch norm in training and evaluation, 2D and 4D inputs") {
  Tensor x = leaf({4, 3, 2, 3}, 71), w = leaf({3}, 72), b = leaf({3}, 73);
  check_gradients([](const Inputs& in) {
    return batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), /*training=*/true);
  }, {x, w, b});
  Tensor x2 = leaf({5, 4}, 74), w2 = leaf({4}, 75), b2 = leaf({4}, 76);
  check_gradients([](const Inputs& in) {
    Tensor rm = zeros({4}, DType::f64), rv = ones({4}, DType::f64);
    return batch_norm(in[0], in[1], in[2], rm, rv, true);
  }, {x2, w2, b2});
  check_gradients([](const Inputs& in) { return batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true); }, {x});
  Tensor rm = from_vector(std::vector<double>{0.1, -0.2, 0.3}, {3}), rv = from_vector(std::vector<double>{0.5, 1.5, 2.0}, {3});
  check_gradients([rm, rv](const Inputs& in) { return batch_norm(in[0], in[1], in[2], rm, rv, false); }, {x, w, b});
}

TEST_CASE("gradcheck: nearest and linear upsampling, corners aligned or not") {
  Tensor x1 = leaf({1, 2, 4}, 77), x2 = leaf({2, 2, 3, 4}, 78), x3 = leaf({1, 1, 2, 3, 2}, 79);
  check_gradients([](const Inputs& in) { return interpolate(in[0], {7}, "nearest"); }, {x1});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {9}, "linear", true); }, {x1});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {6, 8}, "nearest"); }, {x2});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {5, 7}, "bilinear", false); }, {x2});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {5, 7}, "bilinear", true); }, {x2});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {2, 3}, "bilinear", false); }, {x2});
  check_gradients([](const Inputs& in) { return interpolate(in[0], {3, 5, 4}, "trilinear", false); }, {x3});
}

TEST_CASE("gradcheck: cross entropy with class weights, ignore_index and label smoothing") {
  Tensor logits = leaf({5, 4}, 80);
  Tensor target = from_vector(std::vector<int64_t>{0, 3, 1, -100, 2}, {5});
  Tensor weight = from_vector(std::vector<double>{0.5, 1.0, 2.0, 1.5}, {4});
  for (Reduction r : {Reduction::mean, Reduction::sum, Reduction::none}) {
    CAPTURE(static_cast<int>(r));
    check_gradients([&](const Inputs& in) { return cross_entropy(in[0], target, {.reduction = r}); }, {logits});
    check_gradients([&](const Inputs& in) { return cross_entropy(in[0], target, {.weight = weight, .reduction = r}); }, {logits});
    check_gradients([&](const Inputs& in) {
      return cross_entropy(in[0], target, {.weight = weight, .label_smoothing = 0.1, .reduction = r});
    }, {logits});
    check_gradients([&](const Inputs& in) { return cross_entropy(in[0], target, {.label_smoothing = 0.2, .reduction = r}); }, {logits});
  }
}

TEST_CASE("gradcheck: spatial cross entropy, nll_loss and mse") {
  Tensor logits = leaf({2, 3, 2, 2}, 81);
  Tensor target = from_vector(std::vector<int64_t>{0, 1, 2, 255, 2, 2, 1, 0}, {2, 2, 2});
  check_gradients([&](const Inputs& in) { return cross_entropy(in[0], target, {.ignore_index = 255}); }, {logits});
  Tensor rows = leaf({4, 3}, 82);
  Tensor labels = from_vector(std::vector<int64_t>{2, 0, 1, 1}, {4});
  check_gradients([&](const Inputs& in) { return nll_loss(log_softmax(in[0], 1), labels); }, {rows});
  Tensor a = leaf({3, 4}, 83), b = leaf({3, 4}, 84);
  check_gradients([](const Inputs& in) { return mse_loss(in[0], in[1]); }, {a, b});
  check_gradients([](const Inputs& in) { return mse_loss(in[0], in[1], Reduction::sum); }, {a, b});
}
