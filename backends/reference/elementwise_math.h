// The scalar math of the elementwise ops, shared by every CPU backend so that they agree to
// the last bit on what each op means.
#pragma once
#include <algorithm>
#include <cmath>

#include "framework/backend.h"

namespace gaze::reference {

template <typename T>
inline T apply_unary(UnaryOp op, T x, const UnaryParams& p) {
  switch (op) {
    case UnaryOp::neg: return -x;
    case UnaryOp::exp: return std::exp(x);
    case UnaryOp::log: return std::log(x);
    case UnaryOp::sqrt: return std::sqrt(x);
    case UnaryOp::abs: return std::abs(x);
    case UnaryOp::relu: return x > T(0) ? x : T(0);
    case UnaryOp::leaky_relu: return x > T(0) ? x : static_cast<T>(p.alpha) * x;
    case UnaryOp::sigmoid: return T(1) / (T(1) + std::exp(-x));
    case UnaryOp::tanh: return std::tanh(x);
    case UnaryOp::clamp: return std::min(std::max(x, static_cast<T>(p.alpha)), static_cast<T>(p.beta));
    case UnaryOp::pow: return std::pow(x, static_cast<T>(p.alpha));
  }
  return x;
}

// d f(x) / dx, given x and y = f(x).
template <typename T>
inline T unary_derivative(UnaryOp op, T x, T y, const UnaryParams& p) {
  switch (op) {
    case UnaryOp::neg: return T(-1);
    case UnaryOp::exp: return y;
    case UnaryOp::log: return T(1) / x;
    case UnaryOp::sqrt: return T(0.5) / y;
    case UnaryOp::abs: return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0));
    case UnaryOp::relu: return x > T(0) ? T(1) : T(0);
    case UnaryOp::leaky_relu: return x > T(0) ? T(1) : static_cast<T>(p.alpha);
    case UnaryOp::sigmoid: return y * (T(1) - y);
    case UnaryOp::tanh: return T(1) - y * y;
    // PyTorch passes the gradient where min <= x <= max.
    case UnaryOp::clamp: return (x >= static_cast<T>(p.alpha) && x <= static_cast<T>(p.beta)) ? T(1) : T(0);
    case UnaryOp::pow: {
      T e = static_cast<T>(p.alpha);
      return e == T(0) ? T(0) : e * std::pow(x, e - T(1));
    }
  }
  return T(0);
}

template <typename T>
inline T apply_binary(BinaryOp op, T a, T b) {
  switch (op) {
    case BinaryOp::add: return a + b;
    case BinaryOp::sub: return a - b;
    case BinaryOp::mul: return a * b;
    case BinaryOp::div: return a / b;
    case BinaryOp::pow: return static_cast<T>(std::pow(a, b));
    case BinaryOp::maximum: return std::max(a, b);
    case BinaryOp::minimum: return std::min(a, b);
    case BinaryOp::eq: return a == b ? T(1) : T(0);
    case BinaryOp::gt: return a > b ? T(1) : T(0);
    case BinaryOp::lt: return a < b ? T(1) : T(0);
    case BinaryOp::ge: return a >= b ? T(1) : T(0);
    case BinaryOp::le: return a <= b ? T(1) : T(0);
  }
  return a;
}

}  // namespace gaze::reference
