#include "trainers/datasets/video_file_clips.h"

#include <filesystem>

#include "framework/error.h"
#include "trainers/lib/io/video_file.h"

namespace gaze {

namespace {

std::string video_file_path(const std::string& root, const VideoListEntry& video) {
  const std::filesystem::path path = video.path;
  return path.is_absolute() ? path.string() : (std::filesystem::path(root) / path).string();
}

}  // namespace

void count_video_file_frames(const std::string& root, std::vector<VideoListEntry>& videos, const std::string& list_path) {
  if (videos.empty()) return;
  if (!video_decoding_available())
    fail("{}: data.dataset videos decodes video files with FFmpeg, which this build lacks; install libavformat-dev libavcodec-dev "
         "libavutil-dev libswscale-dev and reconfigure, or extract frames and use data.dataset rawframes",
         list_path);
  for (VideoListEntry& v : videos) {
    const std::string path = video_file_path(root, v);
    if (!std::filesystem::is_regular_file(path)) fail("{}: missing; {}:{} lists it (check data.root)", path, list_path, v.line);
    v.total_frames = probe_video_file(path).frames;
    if (v.total_frames < 1) fail("{}: no frames decoded; {}:{} lists it", path, list_path, v.line);
  }
}

VideoFrameReader video_file_reader(std::string root) {
  return [root](const VideoListEntry& video, const std::vector<int64_t>& frames) { return read_video_frames(video_file_path(root, video), frames); };
}

}  // namespace gaze
