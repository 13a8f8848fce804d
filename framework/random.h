// A seeded random generator whose whole state can be saved and restored (checkpoints resume
// bit-exactly). Numbers are produced on the host, so every backend sees the same values.
#pragma once
#include <cstdint>
#include <random>
#include <string>

namespace gaze {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) { manual_seed(seed); }
  void manual_seed(uint64_t seed);
  uint64_t next_u64() { return engine_(); }
  double uniform();  // [0, 1), 53 random bits
  double normal();   // standard normal, Box-Muller

  std::string state() const;  // opaque text, for checkpoints
  void set_state(const std::string& state);

 private:
  std::mt19937_64 engine_;
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

// The process-wide generator used when none is passed.
Generator& default_generator();
void manual_seed(uint64_t seed);

}  // namespace gaze
