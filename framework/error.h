// Errors: every failure a user can cause is a gaze::Error whose message names the operation,
// the values involved and, where there is one, the fix.
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>
#include <string>

namespace gaze {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// An Error in what the user gave (a config, a flag, a data or checkpoint file), found before
// anything was written: the command line exits with status 2 for these and 1 for other Errors
// (a run that failed after it started). One rule, so scripts can tell "fix the input" from
// "the run failed".
class InputError : public Error {
 public:
  explicit InputError(const std::string& message) : Error(message) {}
};

// Runs `body`, turning any gaze::Error it throws into an InputError with the same message: for
// code whose every failure is the input's fault (reading and checking a config, its data, its
// checkpoint), so the fail() calls inside need not each decide.
template <typename Body>
decltype(auto) input_phase(Body&& body) {
  try {
    return body();
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(e.what());
  }
}

// fail("matmul: shapes {} and {} cannot be multiplied", a, b) throws gaze::Error.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace gaze
