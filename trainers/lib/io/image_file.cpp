#include "trainers/lib/io/image_file.h"

#include <stb_image.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "framework/error.h"

namespace gaze {

namespace {

void check_requested_channels(int channels, const std::string& origin) {
  if (channels != 0 && channels != 1 && channels != 3)
    fail("{}: cannot decode to {} channels; ask for 0 (as stored), 1 (grey) or 3 (RGB)", origin, channels);
}

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: no such image file; check the dataset's root and its list files", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the image file for reading; check its permissions", path);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.empty()) fail("{}: the image file is empty; download or extract it again", path);
  return bytes;
}

}  // namespace

DecodedImage decode_image(const uint8_t* bytes, size_t size, const std::string& origin, int channels) {
  check_requested_channels(channels, origin);
  if (size > static_cast<size_t>(INT32_MAX)) fail("{}: image of {} bytes is larger than stb_image reads", origin, size);
  int width = 0, height = 0, stored = 0;
  stbi_uc* data = stbi_load_from_memory(bytes, static_cast<int>(size), &width, &height, &stored, channels);
  if (data == nullptr)
    fail("{}: cannot decode the image ({}); it is corrupt or not a PNG/JPEG/BMP file", origin, stbi_failure_reason());
  DecodedImage image;
  image.height = height;
  image.width = width;
  image.channels = channels == 0 ? stored : channels;
  image.pixels.assign(data, data + static_cast<size_t>(height) * width * image.channels);
  stbi_image_free(data);
  return image;
}

DecodedImage read_image(const std::string& path, int channels) {
  check_requested_channels(channels, path);
  std::vector<uint8_t> bytes = read_file_bytes(path);
  return decode_image(bytes.data(), bytes.size(), path, channels);
}

ImageSize read_image_size(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: no such image file; check the dataset's root and its list files", path);
  int width = 0, height = 0, stored = 0;
  if (!stbi_info(path.c_str(), &width, &height, &stored))
    fail("{}: cannot read the image's size ({}); it is corrupt or not a PNG/JPEG/BMP file", path, stbi_failure_reason());
  return {height, width, stored};
}

}  // namespace gaze
