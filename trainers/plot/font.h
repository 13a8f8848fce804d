// The pictures' text: DejaVu Sans rendered by stb_truetype, anti-aliased, with the font's
// kerning and sub-pixel glyph positions, as matplotlib's default font. The font file is
// kDefaultFontPath (Debian's fonts-dejavu-core) unless the GAZE_FONT environment variable names
// another TrueType file. When the file is missing or unreadable, text falls back to the built-in
// 5×8 bitmap font (bitmap_font.h) magnified to the size asked for, with one warning on stderr: a
// picture with coarse text beats one without.
//
// Text is measured and drawn in lines of `size` pixels: the font's ascent to descent scaled to
// that height, so a line's box is size pixels tall whatever its characters, descenders included.
// Strings are UTF-8; a byte that is not valid UTF-8 draws as U+FFFD (the bitmap font: '?').
// Rendering is deterministic: the same text and size give the same pixels.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gaze::report {

inline constexpr const char* kDefaultFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// A text's size: the height of its line in pixels (see above).
struct TextSize {
  int px = 16;
};

// One line of text as coverage (0: paper, 255: ink), `size` pixels tall. It spans the text's
// advance (Font::width) and, where a glyph's ink reaches beyond it (a 'j' at the start), that
// too: its first column is `left` (<= 0) pixels from where the text starts.
struct TextMask {
  int left = 0, width = 0, height = 0;
  std::vector<uint8_t> coverage;  // row-major
  uint8_t at(int x, int y) const { return coverage[static_cast<size_t>(y) * width + x]; }
};

class Font {
 public:
  // The font at `path`, or the bitmap fallback when it cannot be read or is not a TrueType font;
  // then warning() says why and how to fix it.
  static Font load(const std::string& path);
  // The pictures' font: GAZE_FONT, else kDefaultFontPath; loaded once, its warning (if any)
  // printed once on stderr.
  static const Font& standard();

  int width(std::string_view text, TextSize size) const;
  TextMask render(std::string_view text, TextSize size) const;

  bool is_fallback() const { return truetype_ == nullptr; }
  const std::string& warning() const { return warning_; }

 private:
  struct TrueType;
  std::shared_ptr<const TrueType> truetype_;  // null: the bitmap font
  std::string warning_;
};

// The code points of UTF-8 text; each invalid byte becomes U+FFFD.
std::vector<char32_t> decode_utf8(std::string_view text);

}  // namespace gaze::report
