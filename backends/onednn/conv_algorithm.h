// Which algorithm the onednn backend's convolutions use: Winograd F(4×4, 3×3) for 3×3, stride-1,
// undilated, ungrouped convolutions of at least 16 channels in and out, where oneDNN has its
// kernels (AVX-512 CPUs); direct for every other. Winograd is 1.05-1.9x faster on the small
// ResNets' maps, forward and both backward passes, at a rounding error a few times direct's
// (~1e-5 relative against ~1e-7; docs/backends.md, "Winograd convolutions").
// GAZE_CONV_WINOGRAD=0 keeps every convolution direct.
#pragma once
#include <string>

namespace gaze::onednn {

// False when GAZE_CONV_WINOGRAD=0 (read once).
bool winograd_allowed();

// One line for `gaze info` and the run manifests: the algorithm 3×3 convolutions get on this CPU
// and why.
std::string conv_algorithm_description();

}  // namespace gaze::onednn
