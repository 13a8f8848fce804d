// read_image: PNG and JPEG files decode to the pixels written, in height x width x channels order,
// converted to the channels asked for; every bad file is one error naming it.
#include "trainers/lib/io/image_file.h"

#include <stb_image_write.h>

#include <cstdlib>

#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;
using gaze::test::has;
using gaze::test::TempDir;

namespace {

// A 5 (wide) x 3 (high) RGB picture whose every sample differs: (y, x, c) -> 40y + 8x + c.
std::vector<uint8_t> numbered_rgb() {
  std::vector<uint8_t> pixels;
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 5; ++x)
      for (int c = 0; c < 3; ++c) pixels.push_back(static_cast<uint8_t>(40 * y + 8 * x + c));
  return pixels;
}

}  // namespace

TEST_CASE("read_image returns a PNG's pixels in height x width x channels order") {
  TempDir dir("image_file");
  const std::vector<uint8_t> rgb = numbered_rgb();
  REQUIRE(stbi_write_png(dir.file("a.png").c_str(), 5, 3, 3, rgb.data(), 5 * 3));
  DecodedImage image = read_image(dir.file("a.png"));
  CHECK(image.height == 3);
  CHECK(image.width == 5);
  CHECK(image.channels == 3);
  CHECK(image.pixels == rgb);
  CHECK(image.at(2, 4, 1) == 40 * 2 + 8 * 4 + 1);

  ImageSize size = read_image_size(dir.file("a.png"));
  CHECK(size.height == 3);
  CHECK(size.width == 5);
  CHECK(size.channels == 3);
}

TEST_CASE("read_image converts grey to RGB and RGB to grey, and keeps a grey label PNG's values") {
  TempDir dir("image_file");
  const std::vector<uint8_t> labels{0, 1, 2, 18, 255, 7};  // 3 wide x 2 high, e.g. train ids with ignore 255
  REQUIRE(stbi_write_png(dir.file("labels.png").c_str(), 3, 2, 1, labels.data(), 3));
  DecodedImage as_stored = read_image(dir.file("labels.png"), 0);
  CHECK(as_stored.channels == 1);
  CHECK(as_stored.pixels == labels);
  DecodedImage as_rgb = read_image(dir.file("labels.png"), 3);
  REQUIRE(as_rgb.pixels.size() == 18);
  CHECK(as_rgb.at(1, 1, 0) == 255);
  CHECK(as_rgb.at(1, 1, 2) == 255);
  CHECK(as_rgb.at(0, 2, 1) == 2);

  const std::vector<uint8_t> white_red{255, 255, 255, 255, 0, 0};
  REQUIRE(stbi_write_png(dir.file("two.png").c_str(), 2, 1, 3, white_red.data(), 6));
  DecodedImage grey = read_image(dir.file("two.png"), 1);
  REQUIRE(grey.pixels.size() == 2);
  CHECK(grey.pixels[0] == 255);
  CHECK(grey.pixels[1] > 60);  // stb_image's luma of pure red: (77 * 255) >> 8 = 76
  CHECK(grey.pixels[1] < 90);
}

TEST_CASE("read_image decodes a JPEG close to what was encoded") {
  TempDir dir("image_file");
  std::vector<uint8_t> flat(16 * 16 * 3);
  for (size_t i = 0; i < flat.size(); i += 3) flat[i] = 200, flat[i + 1] = 100, flat[i + 2] = 50;
  REQUIRE(stbi_write_jpg(dir.file("flat.jpg").c_str(), 16, 16, 3, flat.data(), 95));
  DecodedImage image = read_image(dir.file("flat.jpg"));
  CHECK(image.width == 16);
  CHECK(image.height == 16);
  CHECK(std::abs(image.at(8, 8, 0) - 200) <= 3);
  CHECK(std::abs(image.at(8, 8, 1) - 100) <= 3);
  CHECK(std::abs(image.at(8, 8, 2) - 50) <= 3);
}

TEST_CASE("read_image names the file and the fix for a missing, empty or corrupt image") {
  TempDir dir("image_file");
  CHECK_THROWS_WITH_AS(read_image(dir.file("missing.png")), has("missing.png: no such image file"), Error);
  CHECK_THROWS_WITH_AS(read_image_size(dir.file("missing.png")), has("missing.png: no such image file"), Error);
  dir.write("empty.jpg", "");
  CHECK_THROWS_WITH_AS(read_image(dir.file("empty.jpg")), has("empty.jpg: the image file is empty"), Error);
  dir.write("broken.jpg", "\xFF\xD8\xFF\xE0 this is not really a JPEG");
  CHECK_THROWS_WITH_AS(read_image(dir.file("broken.jpg")), has("broken.jpg: cannot decode the image"), Error);
  CHECK_THROWS_WITH_AS(read_image_size(dir.file("broken.jpg")), has("broken.jpg: cannot read the image's size"), Error);
  CHECK_THROWS_WITH_AS(read_image(dir.file("broken.jpg"), 2), has("cannot decode to 2 channels"), Error);
}
