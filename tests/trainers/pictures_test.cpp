// Segmentation overlays and re-ID ranked lists: PNGs of the expected size with the palette's and
// the borders' colours where the layout puts them, and errors for input that does not fit.
#include "trainers/plot/pictures.h"


#include "support/png_reader.h"
#include "support/temp_dir.h"
#include "support/test_support.h"

using namespace gaze;
using gaze::test::Png;
using gaze::test::read_png;
using gaze::test::TempDir;

namespace {


}  // namespace

TEST_CASE("segmentation palette: PASCAL VOC's colours") {
  CHECK(segmentation_colour(0) == report::Rgb{0, 0, 0});
  CHECK(segmentation_colour(1) == report::Rgb{128, 0, 0});
  CHECK(segmentation_colour(2) == report::Rgb{0, 128, 0});
  CHECK(segmentation_colour(8) == report::Rgb{64, 0, 0});
  CHECK(segmentation_colour(15) == report::Rgb{192, 128, 128});
  CHECK(segmentation_colour(255) == kIgnoredColour);
}

TEST_CASE("write_segmentation_overlays_png: rows of image | truth | prediction at the documented size, labels blended over the image") {
  TempDir dir("pictures");
  const std::string path = dir.file("overlays.png");
  // Two 4×6 grey examples: example 0 is black with target 1 and prediction 2 everywhere except
  // pixel 0, which is white and ignored; example 1 is mid grey, target and prediction 0.
  const int64_t h = 4, w = 6;
  std::vector<float> black(h * w, 0.0f), grey(h * w, 0.5f);
  black[0] = 1.0f;
  std::vector<int64_t> target0(h * w, 1), predicted0(h * w, 2), zeros0(h * w, 0);
  target0[0] = 255;
  write_segmentation_overlays_png(path, {black, grey}, {target0, zeros0}, {predicted0, zeros0}, h, w, {"road", "car", "sky"}, 255);

  Png png = read_png(path);
  // s = 128 / 6 = 21: panels 126 × 84. Width: 16 + 3·126 + 2·8 + 24 (legend x 434) + 14 + 6 +
  // "ignored" in 18-pixel text + 16. Height: 16 + 18 + 8 = 42 (titles) + 2·84 + 8 + 16 = 234.
  CHECK(png.width == 434 + 14 + 6 + report::Canvas::text_width("ignored", {18}) + 16);
  CHECK(png.height == 234);
  const int top = 42, image_x = 16, truth_x = 16 + 126 + 8, predicted_x = truth_x + 126 + 8;
  // Example 0, pixel (1, 1) of the picture's grid (21 pixels a cell): black image, target 1
  // (128,0,0) -> (64,0,0), prediction 2 (0,128,0) -> (0,64,0).
  CHECK(png.at(image_x + 30, top + 30) == report::Rgb{0, 0, 0});
  CHECK(png.at(truth_x + 30, top + 30) == report::Rgb{64, 0, 0});
  CHECK(png.at(predicted_x + 30, top + 30) == report::Rgb{0, 64, 0});
  // Pixel 0: white and ignored -> the truth shows (255 + 224) / 2, (255 + 192) / 2 rounded up.
  CHECK(png.at(image_x + 5, top + 5) == report::Rgb{255, 255, 255});
  CHECK(png.at(truth_x + 5, top + 5) == report::Rgb{240, 240, 224});
  // Example 1 (second row, 8 pixels below the first): grey 0.5 -> 128, over class 0 (black) -> 64.
  CHECK(png.at(truth_x + 30, top + 84 + 8 + 30) == report::Rgb{64, 64, 64});
  // The legend's swatch for class 1.
  CHECK(png.at(434 + 7, top + 20 + 8) == report::Rgb{128, 0, 0});
  CHECK(dir.names() == std::vector<std::string>{"overlays.png"});
}

TEST_CASE("write_segmentation_overlays_png: RGB images, and input that does not fit is an error naming it") {
  TempDir dir("pictures");
  const std::string path = dir.file("overlays.png");
  std::vector<float> rgb = {1, 0, 0, 0, 0, 1};  // a 1×2 image: red, blue
  write_segmentation_overlays_png(path, {rgb}, {{0, 1}}, {{0, 0}}, 1, 2, {"a", "b"});
  Png png = read_png(path);
  CHECK(png.at(16 + 10, 42 + 10) == report::Rgb{255, 0, 0});
  CHECK(png.at(16 + 64 + 10, 42 + 10) == report::Rgb{0, 0, 255});

  const std::vector<float> image(6, 0.0f);
  const std::vector<int64_t> labels(6, 0);
  auto draw = [&](std::vector<std::vector<float>> images, std::vector<std::vector<int64_t>> targets,
                  std::vector<std::vector<int64_t>> predictions) {
    write_segmentation_overlays_png(path, images, targets, predictions, 2, 3, {"a", "b"}, 255);
  };
  CHECK_THROWS_WITH_AS(draw({}, {}, {}), doctest::Contains("no examples"), Error);
  CHECK_THROWS_WITH_AS(draw({image}, {labels, labels}, {labels}), doctest::Contains("1 images, 2 targets and 1 predictions"), Error);
  CHECK_THROWS_WITH_AS(draw({std::vector<float>(5)}, {labels}, {labels}), doctest::Contains("image 0 has 5 values"), Error);
  CHECK_THROWS_WITH_AS(draw({image}, {{0, 0, 0, 0, 0, 2}}, {labels}), doctest::Contains("target label 2 (example 0, pixel 5)"), Error);
  CHECK_THROWS_WITH_AS(draw({image}, {labels}, {{0, 255, 0, 0, 0, 0}}), doctest::Contains("predicted label 255"), Error);
  CHECK_THROWS_WITH_AS(write_segmentation_overlays_png(path, {image}, {labels}, {labels}, 2, 3, {}), doctest::Contains("no class names"),
                       Error);
}

TEST_CASE("write_ranked_lists_png: each query then its ranked frames, framed green for a match and red otherwise") {
  TempDir dir("pictures");
  const std::string path = dir.file("ranked.png");
  // 8×4 RGB frames: queries white, gallery frame g filled with the grey g/10.
  const int64_t h = 8, w = 4;
  std::vector<std::vector<float>> queries(2, std::vector<float>(h * w * 3, 1.0f)), gallery;
  for (int g = 0; g < 5; ++g) gallery.emplace_back(h * w * 3, g / 10.0f);
  write_ranked_lists_png(path, queries, gallery, h, w, 3, {{0, 1, 2}, {3, 4}}, {{true, false, true}, {false, true}});

  Png png = read_png(path);
  // s = 128 / 8 = 16: frames 64 × 128, cells 72 × 136 with their 4-pixel border. Ranks start at
  // 16 + 72 + 18 = 106, every 72 + 6; rows start under the rank numbers (18-pixel text) at
  // 16 + 18 + 6 = 40. Width 106 + 3·72 + 2·6 + 16 = 350; height 40 + 2·136 + 6 + 16 = 334.
  CHECK(png.width == 350);
  CHECK(png.height == 334);
  const int top = 40, row1 = top + 136 + 6;
  CHECK(png.at(16 + 1, top + 1) == kQueryColour);
  CHECK(png.at(16 + 20, top + 20) == report::Rgb{255, 255, 255});  // the query frame itself
  CHECK(png.at(106 + 1, top + 1) == kMatchColour);
  CHECK(png.at(106 + 20, top + 20) == report::Rgb{0, 0, 0});  // gallery frame 0
  CHECK(png.at(184 + 1, top + 50) == kMismatchColour);
  CHECK(png.at(184 + 20, top + 20) == report::Rgb{26, 26, 26});  // gallery frame 1: 0.1 -> 26
  CHECK(png.at(262 + 2, top + 134) == kMatchColour);
  CHECK(png.at(106 + 1, row1 + 1) == kMismatchColour);
  CHECK(png.at(184 + 1, row1 + 1) == kMatchColour);
  CHECK(png.at(262 + 20, row1 + 20) == report::Rgb{255, 255, 255});  // query 1 has only 2 entries
  // The headings' text is where the layout puts it: "query" over the first column, "1" over the
  // second, dark strokes with anti-aliased edges, and nothing of it below the heading's line.
  auto text_pixels = [&](int x0, int y0, int x1, int y1, int below) {
    int n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) n += png.at(x, y).r < below;
    return n;
  };
  CHECK(text_pixels(16, 16, 16 + 72, 34, 100) > 30);
  CHECK(text_pixels(16, 16, 16 + 72, 34, 250) > text_pixels(16, 16, 16 + 72, 34, 100));  // grey edges
  CHECK(text_pixels(106, 16, 106 + 72, 34, 100) > 5);
  CHECK(text_pixels(16, 34, 350, 40, 250) == 0);
}

TEST_CASE("write_ranked_lists_png: grey frames decode, and input that does not fit is an error naming it") {
  TempDir dir("pictures");
  const std::string path = dir.file("ranked.png");
  const std::vector<float> frame(6, 0.5f);  // 3×2 grey
  write_ranked_lists_png(path, {frame}, {frame, frame}, 3, 2, 1, {{1}}, {{true}});
  CHECK(read_png(path).width > 0);
  CHECK_THROWS_WITH_AS(write_ranked_lists_png(path, {}, {frame}, 3, 2, 1, {}, {}), doctest::Contains("no queries"), Error);
  CHECK_THROWS_WITH_AS(write_ranked_lists_png(path, {frame}, {frame}, 3, 2, 2, {{0}}, {{true}}), doctest::Contains("2 channels"), Error);
  CHECK_THROWS_WITH_AS(write_ranked_lists_png(path, {frame}, {frame}, 3, 2, 1, {{1}}, {{true}}),
                       doctest::Contains("query 0 ranks gallery index 1, outside the 1 gallery frames"), Error);
  CHECK_THROWS_WITH_AS(write_ranked_lists_png(path, {frame}, {frame}, 3, 2, 1, {{0}}, {{true, false}}),
                       doctest::Contains("1 ranked entries and 2 match flags"), Error);
  CHECK_THROWS_WITH_AS(write_ranked_lists_png(path, {frame}, {std::vector<float>(5)}, 3, 2, 1, {{0}}, {{true}}),
                       doctest::Contains("gallery frame 0 has 5 values"), Error);
}
