#include "trainers/plot/font.h"

#include <stb_truetype.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <fmt/format.h>

#include "trainers/plot/bitmap_font.h"

namespace gaze::report {

struct Font::TrueType {
  std::string data;  // the file: stbtt_fontinfo points into it
  stbtt_fontinfo info{};
  int ascent = 0, descent = 0;  // font units

  float scale(TextSize size) const { return stbtt_ScaleForPixelHeight(&info, static_cast<float>(size.px)); }
};

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Where each code point's glyph starts, in pixels from the left (fractional: glyphs are placed at
// sub-pixel positions, as a font's spacing intends), and the whole advance.
struct Layout {
  std::vector<float> x;
  float advance = 0;
};

Layout lay_out(const stbtt_fontinfo& info, const std::vector<char32_t>& text, float scale) {
  Layout layout;
  float pen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const int codepoint = static_cast<int>(text[i]);
    int advance = 0, bearing = 0;
    stbtt_GetCodepointHMetrics(&info, codepoint, &advance, &bearing);
    layout.x.push_back(pen);
    pen += scale * static_cast<float>(advance);
    if (i + 1 < text.size()) pen += scale * static_cast<float>(stbtt_GetCodepointKernAdvance(&info, codepoint, static_cast<int>(text[i + 1])));
  }
  layout.advance = pen;
  return layout;
}

// The bitmap font's magnification for a line of `size` pixels (its glyphs are 8 rows).
int bitmap_scale(TextSize size) { return std::max(1, size.px / kGlyphHeight); }

char bitmap_char(char32_t c) { return c >= 32 && c <= 126 ? static_cast<char>(c) : '?'; }

}  // namespace

std::vector<char32_t> decode_utf8(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<uint8_t>(text[i]);
    const int length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
    char32_t c = length == 1 ? lead : length == 2 ? lead & 0x1F : length == 3 ? lead & 0x0F : lead & 0x07;
    bool valid = length > 0 && i + length <= text.size();
    for (int k = 1; valid && k < length; ++k) {
      const auto next = static_cast<uint8_t>(text[i + k]);
      valid = (next & 0xC0) == 0x80;
      c = (c << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8 either.
    static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (valid && (c < kSmallest[length] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)) valid = false;
    out.push_back(valid ? c : kReplacement);
    i += valid ? static_cast<size_t>(length) : 1;
  }
  return out;
}

Font Font::load(const std::string& path) {
  Font font;
  std::ifstream in(path, std::ios::binary);
  auto truetype = std::make_shared<TrueType>();
  if (in) truetype->data.assign(std::istreambuf_iterator<char>(in), {});
  const auto* bytes = reinterpret_cast<const unsigned char*>(truetype->data.data());
  const int offset = in && !truetype->data.empty() ? stbtt_GetFontOffsetForIndex(bytes, 0) : -1;
  if (!in) {
    font.warning_ = fmt::format("gaze: font {} not found: pictures use the coarse built-in font (apt-get install fonts-dejavu-core, or set "
                                "GAZE_FONT to a .ttf file)", path);
  } else if (offset < 0 || !stbtt_InitFont(&truetype->info, bytes, offset)) {
    font.warning_ = fmt::format("gaze: {} is not a TrueType font: pictures use the coarse built-in font (set GAZE_FONT to a .ttf file)", path);
  } else {
    int line_gap = 0;
    stbtt_GetFontVMetrics(&truetype->info, &truetype->ascent, &truetype->descent, &line_gap);
    font.truetype_ = std::move(truetype);
  }
  return font;
}

const Font& Font::standard() {
  static const Font font = [] {
    const char* chosen = std::getenv("GAZE_FONT");
    Font f = load(chosen && *chosen ? chosen : kDefaultFontPath);
    if (!f.warning().empty()) std::fprintf(stderr, "%s\n", f.warning().c_str());
    return f;
  }();
  return font;
}

int Font::width(std::string_view text, TextSize size) const {
  const std::vector<char32_t> codepoints = decode_utf8(text);
  if (codepoints.empty()) return 0;
  if (!truetype_) return (static_cast<int>(codepoints.size()) * kGlyphAdvance - 1) * bitmap_scale(size);
  return static_cast<int>(std::ceil(lay_out(truetype_->info, codepoints, truetype_->scale(size)).advance));
}

TextMask Font::render(std::string_view text, TextSize size) const {
  const std::vector<char32_t> codepoints = decode_utf8(text);
  const int advance = width(text, size);
  TextMask mask{0, advance, std::max(1, size.px), {}};
  if (!truetype_) {
    // The bitmap glyphs, magnified and centred in the line's height.
    mask.coverage.assign(static_cast<size_t>(mask.width) * mask.height, 0);
    const int scale = bitmap_scale(size), top = std::max(0, (mask.height - kGlyphHeight * scale) / 2);
    for (size_t i = 0; i < codepoints.size(); ++i) {
      const auto& rows = glyph(bitmap_char(codepoints[i]));
      for (int row = 0; row < kGlyphHeight * scale && top + row < mask.height; ++row)
        for (int col = 0; col < kGlyphWidth * scale; ++col)
          if (rows[row / scale] & (1u << (kGlyphWidth - 1 - col / scale)))
            mask.coverage[static_cast<size_t>(top + row) * mask.width + static_cast<int>(i) * kGlyphAdvance * scale + col] = 255;
    }
    return mask;
  }
  const stbtt_fontinfo& info = truetype_->info;
  const float scale = truetype_->scale(size);
  const float baseline = scale * static_cast<float>(truetype_->ascent);
  const int baseline_row = static_cast<int>(std::floor(baseline));
  const float shift_y = baseline - static_cast<float>(baseline_row);
  const Layout layout = lay_out(info, codepoints, scale);

  // Each glyph's pixel box at its sub-pixel position; the mask grows to hold every one's ink.
  struct Box {
    int left, top, width, height;
    float shift_x;
  };
  std::vector<Box> boxes;
  int ink_left = 0, ink_right = advance;
  for (size_t i = 0; i < codepoints.size(); ++i) {
    const float shift_x = layout.x[i] - std::floor(layout.x[i]);
    int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    stbtt_GetCodepointBitmapBoxSubpixel(&info, static_cast<int>(codepoints[i]), scale, scale, shift_x, shift_y, &x0, &y0, &x1, &y1);
    const Box box{static_cast<int>(std::floor(layout.x[i])) + x0, baseline_row + y0, x1 - x0, y1 - y0, shift_x};
    boxes.push_back(box);
    if (box.width > 0 && box.height > 0) ink_left = std::min(ink_left, box.left), ink_right = std::max(ink_right, box.left + box.width);
  }
  mask.left = ink_left;
  mask.width = ink_right - ink_left;
  mask.coverage.assign(static_cast<size_t>(mask.width) * mask.height, 0);
  std::vector<unsigned char> glyph_pixels;
  for (size_t i = 0; i < codepoints.size(); ++i) {
    const Box& box = boxes[i];
    if (box.width <= 0 || box.height <= 0) continue;  // a space
    glyph_pixels.assign(static_cast<size_t>(box.width) * box.height, 0);
    stbtt_MakeCodepointBitmapSubpixel(&info, glyph_pixels.data(), box.width, box.height, box.width, scale, scale, box.shift_x, shift_y,
                                      static_cast<int>(codepoints[i]));
    // Glyphs that touch share edge pixels: their coverage adds up (to full ink at most). Ink above
    // the ascent or below the descent (rare accents) is cut at the line's box.
    for (int y = 0; y < box.height; ++y)
      for (int x = 0; x < box.width; ++x) {
        const int mx = box.left - mask.left + x, my = box.top + y;
        if (my < 0 || my >= mask.height) continue;
        uint8_t& cell = mask.coverage[static_cast<size_t>(my) * mask.width + mx];
        cell = static_cast<uint8_t>(std::min(255, cell + glyph_pixels[static_cast<size_t>(y) * box.width + x]));
      }
  }
  return mask;
}

}  // namespace gaze::report
