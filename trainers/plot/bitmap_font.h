// A 5×8 bitmap font for printable ASCII (32..126): the pictures' text when the TrueType font
// cannot be loaded (font.h), so a machine without it still gets readable, if coarse, labels.
// Capitals and digits use rows 0..6; row 7 holds the descenders of g, j, p, q, y and ','.
#pragma once
#include <array>
#include <cstdint>

namespace gaze::report {

inline constexpr int kGlyphWidth = 5;
inline constexpr int kGlyphHeight = 8;
inline constexpr int kGlyphAdvance = kGlyphWidth + 1;  // one blank column between characters

// The rows of `c`, top first; bit 4 is the leftmost column. Characters outside 32..126 get '?'.
const std::array<uint8_t, kGlyphHeight>& glyph(char c);

}  // namespace gaze::report
