// write_attention_png: a known map written over a known image, read back with stb_image.
#include "layers/attention/heatmap.h"

#include <string>

#include "support/png_reader.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;
using gaze::test::Png;
using gaze::test::read_png;
using gaze::test::TempDir;
using report::Rgb;

TEST_CASE("write_attention_png: hottest point dark red, coldest dark blue, blended over the image") {
  TempDir dir("heatmap");
  // A 2x2 map, hottest bottom-right, coldest top-left, over an 8x6 grey image of one value: after
  // the bilinear resize (align_corners = false) the 2x2 corner blocks of the picture keep the
  // corner values exactly.
  Tensor attention = from_vector(std::vector<double>{-1.0, 0.5, 0.5, 3.0}, {2, 2});
  Tensor image = full({6, 8}, 7.0);  // constant: black
  std::string path = (dir.path / "map.png").string();

  write_attention_png(path, image, attention, 0.5);
  Png png = read_png(path);
  REQUIRE(png.width == 8);
  REQUIRE(png.height == 6);
  // jet(1) = (½, 0, 0) and jet(0) = (0, 0, ½), half-blended with black: ¼ · 255 = 63.75 → 64.
  CHECK(png.at(7, 5) == Rgb{64, 0, 0});
  CHECK(png.at(0, 0) == Rgb{0, 0, 64});

  write_attention_png(path, image, attention, 1.0);
  png = read_png(path);
  CHECK(png.at(7, 5) == Rgb{128, 0, 0});
  CHECK(png.at(0, 0) == Rgb{0, 0, 128});
  // The other two corners hold 0.5, t = (0.5 + 1) / 4 = 0.375: jet = (clamp(1.5 − |1.5 − 3|),
  // clamp(1.5 − |1.5 − 2|), clamp(1.5 − |1.5 − 1|)) = (0, 1, 1), cyan.
  CHECK(png.at(7, 0) == Rgb{0, 255, 255});
  CHECK(png.at(0, 5) == Rgb{0, 255, 255});
}

TEST_CASE("write_attention_png: alpha 0 gives the image, scaled from its range; RGB images keep their colours") {
  TempDir dir("heatmap");
  std::string path = (dir.path / "image.png").string();
  Tensor attention = from_vector(std::vector<double>{0.0, 1.0}, {1, 2});
  // Grey [H, W] in [-3, 5]: -3 → 0, 1 → 128 (127.5 rounds up), 5 → 255.
  Tensor grey = from_vector(std::vector<double>{-3.0, 1.0, 5.0, 1.0}, {2, 2});
  write_attention_png(path, grey, attention, 0.0);
  Png png = read_png(path);
  CHECK(png.at(0, 0) == Rgb{0, 0, 0});
  CHECK(png.at(1, 0) == Rgb{128, 128, 128});
  CHECK(png.at(0, 1) == Rgb{255, 255, 255});
  // RGB [3, 1, 2], f32, scaled over all channels together: pure red and pure blue pixels.
  Tensor rgb = from_vector(std::vector<float>{10, 0, 0, 0, 0, 10}, {3, 1, 2});
  write_attention_png(path, rgb, attention, 0.0);
  png = read_png(path);
  CHECK(png.at(0, 0) == Rgb{255, 0, 0});
  CHECK(png.at(1, 0) == Rgb{0, 0, 255});
}

TEST_CASE("write_attention_png: bad shapes, alpha and paths are errors naming the file and the fix") {
  TempDir dir("heatmap");
  std::string path = (dir.path / "bad.png").string();
  Tensor map = zeros({4, 4});
  CHECK_THROWS_WITH_AS(write_attention_png(path, zeros({2, 5, 5}), map),
                       doctest::Contains(("write_attention_png(" + path + "): image should be [C, H, W] with C = 1 or 3, or [H, W], got [2,5,5]").c_str()), Error);
  CHECK_THROWS_WITH_AS(write_attention_png(path, zeros({5, 5}), zeros({1, 1, 4, 4})),
                       doctest::Contains("attention should be one map [h, w]"), Error);
  CHECK_THROWS_WITH_AS(write_attention_png(path, zeros({5, 5}), map, 1.5), doctest::Contains("alpha must be in [0, 1], got 1.5"), Error);
  std::string missing = (dir.path / "no_such_dir" / "map.png").string();
  CHECK_THROWS_WITH_AS(write_attention_png(missing, zeros({5, 5}), map),
                       doctest::Contains(("could not write '" + missing + "'; check that its directory exists and is writable").c_str()), Error);
}
