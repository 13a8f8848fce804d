// Differentiable elementwise ops. Binary ops broadcast by NumPy rules; both operands must have
// the same dtype (no silent promotion).
#pragma once
#include "framework/random.h"
#include "framework/tensor.h"

namespace gaze {

Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Tensor& exponent);
Tensor pow(const Tensor& a, double exponent);
Tensor maximum(const Tensor& a, const Tensor& b);  // ties share the gradient equally
Tensor minimum(const Tensor& a, const Tensor& b);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

Tensor neg(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor square(const Tensor& x);
Tensor clamp(const Tensor& x, double min, double max);
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);

// Comparisons: 1 where true, 0 elsewhere, in the operands' dtype. Not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
// cond ? a : b, with cond a 0/1 tensor of the same dtype; differentiable in a and b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

// Converts to `dtype`; differentiable between floating dtypes.
Tensor to_dtype(const Tensor& x, DType dtype);

// Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p).
// The identity when !training or p == 0. The mask comes from `generator` (the default one if
// omitted), so a seeded run drops the same elements every time.
Tensor dropout(const Tensor& x, double p, bool training = true, Generator* generator = nullptr);
// Dropout of whole channels (PyTorch's Dropout2d/3d): x [N, C, *] keeps or zeroes each (n, c).
Tensor channel_dropout(const Tensor& x, double p, bool training = true, Generator* generator = nullptr);

}  // namespace gaze
