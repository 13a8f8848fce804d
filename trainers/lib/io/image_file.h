// Images on disk (PNG, JPEG, BMP, ... whatever stb_image decodes) read into 8-bit pixels: the one
// decoder behind every dataset reader (ImageFolder, CIFAR-style folders, segmentation labels,
// video frame folders, re-ID tracklets), so that they report a bad file the same way.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gaze {

// Pixels in height x width x channels order (interleaved, as stored), one byte per sample.
struct DecodedImage {
  int64_t height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;
  uint8_t at(int64_t y, int64_t x, int64_t c) const { return pixels[(y * width + x) * channels + c]; }
};

// Reads and decodes `path`. channels: 0 keeps what the file stores (1 grey, 2 grey+alpha,
// 3 RGB, 4 RGBA); 1 converts to grey, 3 to RGB (grey is replicated, alpha dropped). A missing,
// unreadable or undecodable file is one gaze::Error naming the path and stb_image's reason.
// A palette PNG is expanded to its colours (stb_image does not return palette indices).
DecodedImage read_image(const std::string& path, int channels = 3);

// The same from bytes already in memory (a frame from a tar or a video container); `origin`
// names them in errors.
DecodedImage decode_image(const uint8_t* bytes, size_t size, const std::string& origin, int channels = 3);

// Width and height without decoding the pixels (stbi_info), for indexing a large tree quickly.
struct ImageSize {
  int64_t height = 0, width = 0, channels = 0;
};
ImageSize read_image_size(const std::string& path);

}  // namespace gaze
