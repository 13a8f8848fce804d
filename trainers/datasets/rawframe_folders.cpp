#include "trainers/datasets/rawframe_folders.h"

#include <fmt/format.h>

#include <filesystem>

#include "framework/error.h"

namespace gaze {

std::string rawframe_path(const RawframeLayout& layout, const VideoListEntry& video, int64_t frame) {
  std::string name;
  try {
    name = fmt::format(fmt::runtime(layout.filename_tmpl), layout.start_index + frame);
  } catch (const fmt::format_error& e) {
    fail("data.filename_tmpl '{}' does not format a frame number ({}); write it as mmaction2 does, e.g. img_{{:05}}.jpg", layout.filename_tmpl,
         e.what());
  }
  return (std::filesystem::path(layout.root) / video.path / name).string();
}

void check_rawframe_folders(const RawframeLayout& layout, const std::vector<VideoListEntry>& videos, const std::string& list_path) {
  namespace fs = std::filesystem;
  for (const VideoListEntry& v : videos) {
    const fs::path folder = fs::path(layout.root) / v.path;
    if (!fs::is_directory(folder)) fail("{}: missing; {}:{} lists it as a frame folder (check data.root)", folder.string(), list_path, v.line);
    for (int64_t frame : {int64_t{0}, v.total_frames - 1}) {
      const std::string file = rawframe_path(layout, v, frame);
      if (!fs::is_regular_file(file))
        fail("{}: missing; {}:{} says the folder holds {} frames named by data.filename_tmpl '{}' from data.start_index {}", file, list_path,
             v.line, v.total_frames, layout.filename_tmpl, layout.start_index);
    }
  }
}

VideoFrameReader rawframe_reader(RawframeLayout layout) {
  return [layout](const VideoListEntry& video, const std::vector<int64_t>& frames) {
    std::vector<DecodedImage> images;
    images.reserve(frames.size());
    for (int64_t frame : frames) images.push_back(read_image(rawframe_path(layout, video, frame), 3));
    return images;
  };
}

}  // namespace gaze
