// A PNG read back into RGB pixels, for tests that check what a picture shows.
#pragma once
#include <doctest/doctest.h>
#include <stb_image.h>

#include <string>
#include <vector>

#include "trainers/plot/canvas.h"

namespace gaze::test {

struct Png {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;
  report::Rgb at(int x, int y) const {
    size_t i = (static_cast<size_t>(y) * width + x) * 3;
    return {rgb[i], rgb[i + 1], rgb[i + 2]};
  }
  // Pixels of exactly `colour` inside the rectangle [x0, x1) × [y0, y1).
  int count(report::Rgb colour, int x0, int y0, int x1, int y1) const {
    int n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) n += at(x, y) == colour;
    return n;
  }
};

inline Png read_png(const std::string& path) {
  Png png;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &png.width, &png.height, &channels, 3);
  REQUIRE_MESSAGE(data != nullptr, "stb_image could not decode " << path);
  png.rgb.assign(data, data + static_cast<size_t>(png.width) * png.height * 3);
  stbi_image_free(data);
  return png;
}

}  // namespace gaze::test
