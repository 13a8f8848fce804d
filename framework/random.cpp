#include "framework/random.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "framework/error.h"

namespace gaze {

void Generator::manual_seed(uint64_t seed) {
  engine_.seed(seed);
  has_spare_normal_ = false;
}

double Generator::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Generator::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  double u2 = uniform();
  double radius = std::sqrt(-2.0 * std::log(u1));
  spare_normal_ = radius * std::sin(2.0 * std::numbers::pi * u2);
  has_spare_normal_ = true;
  return radius * std::cos(2.0 * std::numbers::pi * u2);
}

std::string Generator::state() const {
  std::ostringstream out;
  out << engine_ << ' ' << has_spare_normal_ << ' ';
  out.precision(17);
  out << std::hexfloat << spare_normal_;
  return out.str();
}

void Generator::set_state(const std::string& state) {
  std::istringstream in(state);
  std::mt19937_64 engine;
  bool has_spare = false;
  double spare = 0.0;
  in >> engine >> has_spare;
  std::string spare_text;
  in >> spare_text;
  if (in.fail() || spare_text.empty()) fail("Generator::set_state: the saved state is corrupt");
  spare = std::strtod(spare_text.c_str(), nullptr);
  engine_ = engine;
  has_spare_normal_ = has_spare;
  spare_normal_ = spare;
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace gaze
