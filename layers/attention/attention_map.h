// What every attention layer shares: it can keep its last attention map (positions×positions,
// channels×channels, or the gate) for visualization. Recording is off by default: a PAM map on
// a 32×32 feature map is 4 MiB per image, too much to hold on to while training.
#pragma once
#include "framework/tensor.h"

namespace gaze {

class AttentionMapRecorder {
 public:
  virtual ~AttentionMapRecorder() = default;
  // Whether the map is over positions (and can be drawn over the input) rather than channels
  // (SE's and CBAM's channel weights, CAM's channels×channels affinities).
  virtual bool map_is_spatial() const { return true; }
  void record_attention(bool on) { record_ = on; if (!on) last_ = Tensor(); }
  bool records_attention() const { return record_; }
  // The map of the last forward when recording was on (detached), else undefined.
  const Tensor& last_attention() const { return last_; }

 protected:
  void remember(const Tensor& map) {
    if (record_) last_ = map.detach();
  }

 private:
  bool record_ = false;
  Tensor last_;
};

}  // namespace gaze
