// Attention maps as pictures, as a library call (`gaze visualize` draws its attention-map
// pictures with it).
#pragma once
#include <string>

#include "framework/tensor.h"

namespace gaze {

// Writes a PNG of `attention` laid over `image`:
//  - image [C, H, W] with C = 1 (grey) or 3 (RGB), or [H, W] (grey), any dtype and range: it is
//    scaled linearly so its minimum is black and its maximum white (all channels together, so
//    colours keep their balance); a constant image is black.
//  - attention [h, w], any range: resized to H × W (bilinear, align_corners = false), scaled to
//    [0, 1] the same way (a constant map is all 0), and coloured with the jet colormap
//    (t ↦ r = clamp(1.5 − |4t − 3|), g = clamp(1.5 − |4t − 2|), b = clamp(1.5 − |4t − 1|):
//    dark blue (0, 0, ½) at 0, through cyan, green and yellow, to dark red (½, 0, 0) at 1).
//  - pixel = (1 − alpha) · image + alpha · colour, alpha in [0, 1], 8-bit RGB.
// Bad shapes, alpha out of range, or a file that cannot be written throw gaze::Error naming the
// file and what to change.
void write_attention_png(const std::string& path, const Tensor& image, const Tensor& attention, double alpha = 0.5);

}  // namespace gaze
