#include "layers/attention/heatmap.h"

#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "framework/error.h"

namespace gaze {

namespace {

// Values of `t` as doubles, scaled linearly to [0, 1]; all 0 when t is constant.
std::vector<double> normalised(const Tensor& t) {
  std::vector<double> values = to_dtype(t, DType::f64).to_vector<double>();
  if (values.empty()) return values;
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  double low = *lo, range = *hi - *lo;
  for (double& v : values) v = range > 0 ? (v - low) / range : 0.0;
  return values;
}

double jet_channel(double t, double centre) { return std::clamp(1.5 - std::abs(4.0 * t - centre), 0.0, 1.0); }

}  // namespace

void write_attention_png(const std::string& path, const Tensor& image, const Tensor& attention, double alpha) {
  if (!(alpha >= 0.0 && alpha <= 1.0)) fail("write_attention_png({}): alpha must be in [0, 1], got {}", path, alpha);
  if (!image.defined() || !(image.dim() == 2 || (image.dim() == 3 && (image.shape()[0] == 1 || image.shape()[0] == 3))))
    fail("write_attention_png({}): image should be [C, H, W] with C = 1 or 3, or [H, W], got {}", path,
         image.defined() ? shape_str(image.shape()) : "an undefined tensor");
  if (!attention.defined() || attention.dim() != 2)
    fail("write_attention_png({}): attention should be one map [h, w] (select the image and the head first, e.g. "
         "select(select(map, 0, 0), 0, 0) for [N, K, h, w]), got {}",
         path, attention.defined() ? shape_str(attention.shape()) : "an undefined tensor");
  if (image.numel() == 0 || attention.numel() == 0)
    fail("write_attention_png({}): image {} and attention {} must not be empty", path, shape_str(image.shape()),
         shape_str(attention.shape()));

  NoGradGuard no_grad;
  int64_t channels = image.dim() == 3 ? image.shape()[0] : 1;
  int64_t height = image.shape()[image.dim() - 2], width = image.shape()[image.dim() - 1];
  std::vector<double> base = normalised(contiguous(image.detach()));  // [C, H, W]
  Tensor map = reshape(to_dtype(attention.detach(), DType::f64), {1, 1, attention.shape()[0], attention.shape()[1]});
  std::vector<double> heat = normalised(interpolate(map, {height, width}, "bilinear", /*align_corners=*/false));

  int64_t pixels = height * width;
  std::vector<unsigned char> rgb(static_cast<size_t>(pixels * 3));
  for (int64_t p = 0; p < pixels; ++p) {
    double t = heat[p];
    double colour[3] = {jet_channel(t, 3.0), jet_channel(t, 2.0), jet_channel(t, 1.0)};
    for (int64_t c = 0; c < 3; ++c) {
      double grey_or_rgb = base[(channels == 3 ? c : 0) * pixels + p];
      double v = (1.0 - alpha) * grey_or_rgb + alpha * colour[c];
      rgb[p * 3 + c] = static_cast<unsigned char>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
    }
  }
  if (!stbi_write_png(path.c_str(), static_cast<int>(width), static_cast<int>(height), 3, rgb.data(), static_cast<int>(width * 3)))
    fail("write_attention_png: could not write '{}'; check that its directory exists and is writable", path);
}

}  // namespace gaze
